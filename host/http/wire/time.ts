// Event times from client clocks. Analytics clients stamp events with the device's clock and
// also say when they sent the request (`sentAt` / `sent_at`); the server shifts the event time by
// the difference between that and its own receipt time, which cancels a wrong device clock.
import { parseIsoTime } from '../../util/iso-time.js';
import { WRONG_TYPE } from './json.js';

/** Largest magnitude of a JavaScript Date, in ms from the epoch. */
const MAX_DATE_MS = 8.64e15;

/**
 * A wire time in ms from the epoch. Missing or null → undefined; a non-string or unparseable
 * string → WRONG_TYPE. A date-time without a zone is read as UTC, so the result never depends on
 * the server's time zone.
 */
export function parseWireTime(value: unknown): number | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return WRONG_TYPE;
  const ms = parseIsoTime(value);
  return Number.isNaN(ms) ? WRONG_TYPE : ms;
}

/** `receivedAt − (sentAt − clientTime)`: the client's event time moved onto the server's clock. */
export function correctClockSkew(clientTimeMs: number, sentAtMs: number, receivedAt: Date): number {
  return receivedAt.getTime() - (sentAtMs - clientTimeMs);
}

/** ISO string of a time in ms, or undefined when skew arithmetic pushed it outside what a Date holds. */
export function toIsoTime(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined;
}
