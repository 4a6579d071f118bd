// How people type one value in different ways, and the junk they type instead of a real value.
import type { Random } from './random.js';

/** Junk emails typed at checkout, weighted by how often shoppers reach for them. */
export const JUNK_EMAILS: readonly (readonly [string, number])[] = [
  ['test@test.com', 30],
  ['a@a.com', 15],
  ['noemail@gmail.com', 15],
  ['no@email.com', 10],
  ['none@none.com', 8],
  ['asd@asd.com', 7],
  // Plausible-looking ones that no fixed list catches: only their many owners give them away.
  ['asd@abv.bg', 5],
  ['info@shop.bg', 5],
  ['null', 8],
  ['n/a', 7],
];

/** Junk phones typed at checkout; some are invalid numbers, some are valid mobile numbers. */
export const JUNK_PHONES: readonly (readonly [string, number])[] = [
  ['0000000000', 30],
  ['0888888888', 20],
  ['0888 123 456', 15],
  ['+359899999999', 15],
  ['1234567890', 10],
  ['0899 999 999', 10],
];

const GMAIL_TAGS = ['shop', 'promo', 'news', 'bg', 'orders'];

type EmailCaseVariant = (address: string) => string;
const EMAIL_CASE_VARIANTS: readonly EmailCaseVariant[] = [
  (address) => address.toUpperCase(),
  (address) => address.replace(/(^|[.@])([a-z])/g, (_, sep: string, letter: string) => sep + letter.toUpperCase()),
  (address) => ` ${address}`,
  (address) => `${address}  `,
  (address) => ` ${address[0].toUpperCase()}${address.slice(1)} `,
];

/** The address as one person types it this time: usually as is, sometimes a surface variant. */
export function typedEmailVariant(
  random: Random,
  address: string,
  rates: { emailCaseOrSpaces: number; gmailVariant: number },
): string {
  let typed = address;
  if (address.endsWith('@gmail.com') && random.chance(rates.gmailVariant)) typed = gmailVariant(random, typed);
  if (random.chance(rates.emailCaseOrSpaces)) typed = random.pick(EMAIL_CASE_VARIANTS)(typed);
  return typed;
}

function gmailVariant(random: Random, address: string): string {
  const at = address.indexOf('@');
  const local = address.slice(0, at);
  if (random.chance(0.5)) return `${local}+${random.pick(GMAIL_TAGS)}${address.slice(at)}`;
  const bare = local.replaceAll('.', '');
  if (bare !== local || bare.length < 2) return `${bare}${address.slice(at)}`;
  const cut = random.int(1, bare.length - 1);
  return `${bare.slice(0, cut)}.${bare.slice(cut)}${address.slice(at)}`;
}

export interface MobilePhone {
  /** E.164, e.g. +359888123456. */
  e164: string;
  /** Country calling code without `+`, e.g. 359. */
  countryCode: string;
  /** National significant number, e.g. 888123456. */
  national: string;
}

/** The number in E.164 most of the time; with probability `phoneFormat` in another common form. */
export function typedPhoneVariant(random: Random, phone: MobilePhone, phoneFormat: number): string {
  if (!random.chance(phoneFormat)) return phone.e164;
  return random.pick(phone.countryCode === '359' ? bulgarianForms(phone.national) : internationalForms(phone));
}

function bulgarianForms(n: string): string[] {
  return [
    `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, // 0888 123 456
    `+359 ${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}`, // +359 88 812 3456
    `00359${n}`, // 00359888123456
    `(0${n.slice(0, 2)}) ${n.slice(2, 5)}-${n.slice(5)}`, // (088) 812-3456
    `0${n}`, // 0888123456
  ];
}

function internationalForms(phone: MobilePhone): string[] {
  const n = phone.national;
  return [
    `+${phone.countryCode} ${n.slice(0, 4)} ${n.slice(4)}`,
    `00${phone.countryCode}${n}`,
    `00${phone.countryCode} ${n.slice(0, 3)} ${n.slice(3)}`,
  ];
}
