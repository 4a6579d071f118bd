// ISO-8601 times as senders write them, judged strictly: the contract's times are ISO-8601 in UTC, so
// a time without an offset is UTC (never the server's zone), a calendar date that does not exist is
// refused (Date.parse rolls 02-30 over into March), and other spellings are refused, not guessed
// (Date.parse reads "03/01/2026" as March 1st in the server's zone).

// date, or date and time (seconds and fraction optional; fractions beyond milliseconds are cut, as
// posthog-python sends microseconds), 'T' or a space between, then Z, ±hh, ±hh:mm or ±hhmm or nothing
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MS_PER_MINUTE = 60_000;

/** Milliseconds from the epoch of an ISO-8601 date or date-time; NaN for anything else or a time that does not exist. */
export function parseIsoTime(text: string): number {
  const m = ISO_TIME.exec(text);
  if (m === null) return NaN;
  const [year, month, day] = [+m[1], +m[2], +m[3]];
  const [hour, minute, second] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  const millis = m[7] === undefined ? 0 : +m[7].padEnd(3, '0').slice(0, 3);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return NaN;
  // 24:00:00 is the end of the day (ISO-8601 allows it, and so did Date.parse)
  const endOfDay = hour === 24 && minute === 0 && second === 0 && millis === 0;
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59) return NaN;
  const [offsetHours, offsetMinutes] = [+(m[10] ?? 0), +(m[11] ?? 0)];
  if (offsetHours > 23 || offsetMinutes > 59) return NaN;
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0..99 as 1900..1999
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offset * MS_PER_MINUTE;
}
