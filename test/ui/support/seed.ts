// The shop the explorer tests look at, sent through the API as a shop's tracking would send it:
// Maria with an email, a phone, a customer account, a newsletter subscription and two devices;
// a family tablet that Maria, Georgi and their son Petar all log in on; a junk email typed at checkout; and Ivan,
// whose guest visit and account were two personas until he logged in (a merge, and an alias).
import type { Identifier } from '../../../host/types.js';
import type { ExplorerServer } from './explorer-server.js';

export const MARIA = {
  email: 'Maria.Ivanova@post.bg',
  /** As the shop's checkout stored it; searched in another spelling. */
  phone: '0888 123 456',
  phoneE164: '+359888123456',
  customer: 'c-100',
  subscriber: 's-9',
  laptop: '3f1c2a9e-7b4d-4e21-9a55-0c8e6f1d2b01',
  mobile: '9a7e3c10-2f5b-4c8d-b1e6-5d4f3a2c1b02',
};
export const GEORGI = { email: 'georgi.petrov@abv.bg' };
export const PETAR = { email: 'petar.g@gmail.com' };
export const FAMILY_TABLET = 'c0ffee00-1234-4abc-8def-000000000042';
export const JUNK_EMAIL = 'test@test.com';
export const IVAN = {
  guestDevice: '5b2d8f4e-1a3c-4e6f-8b9d-7c6e5f4a3b03',
  customer: 'c-500',
  email: 'ivan.dimitrov@mail.bg',
  phone: '+359 87 765 4321',
};

const at = (day: number, hour = 10) => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Every identifier the seed sends (the junk one included), for counting personas through the API. */
export const SEEDED_IDENTIFIERS: Identifier[] = [
  { type: 'email', value: MARIA.email }, { type: 'phone', value: MARIA.phone }, { type: 'customer', value: MARIA.customer },
  { type: 'subscriber', value: MARIA.subscriber }, { type: 'device', value: MARIA.laptop }, { type: 'device', value: MARIA.mobile },
  { type: 'email', value: GEORGI.email }, { type: 'email', value: PETAR.email }, { type: 'device', value: FAMILY_TABLET },
  { type: 'email', value: JUNK_EMAIL }, { type: 'customer', value: 'c-300' },
  { type: 'device', value: IVAN.guestDevice }, { type: 'customer', value: IVAN.customer },
  { type: 'email', value: IVAN.email }, { type: 'phone', value: IVAN.phone },
];

export interface Seeded {
  /** The persona Ivan's account founded, merged into his older guest persona. */
  ivanAlias: string;
  ivanSurvivor: string;
}

export async function seedShop(api: ExplorerServer): Promise<Seeded> {
  // a device seen with more than two person identifiers counts as shared (the default waits for more)
  await api.call('PUT', 'config', { sharedThresholds: { device: 2 } });
  await api.ingest([
    { id: 'm-login', type: 'login', timestamp: at(1), identifiers: { email: MARIA.email, customer: MARIA.customer, device: MARIA.laptop } },
    { id: 'm-order', type: 'checkout', timestamp: at(2), identifiers: { customer: MARIA.customer, phone: MARIA.phone } },
    { id: 'm-visit', type: 'page', timestamp: at(3), identifiers: { device: MARIA.mobile, email: MARIA.email.toLowerCase() } },
    { id: 'm-newsletter', type: 'subscribe', timestamp: at(4), identifiers: { subscriber: MARIA.subscriber, email: MARIA.email } },
    { id: 'g-login', type: 'login', timestamp: at(5, 9), identifiers: { email: GEORGI.email, device: FAMILY_TABLET } },
    { id: 'm-tablet', type: 'login', timestamp: at(5, 20), identifiers: { email: MARIA.email, device: FAMILY_TABLET } },
    { id: 'p-tablet', type: 'login', timestamp: at(5, 21), identifiers: { email: PETAR.email, device: FAMILY_TABLET } },
    { id: 'junk-order', type: 'checkout', timestamp: at(6), identifiers: { email: JUNK_EMAIL, customer: 'c-300' } },
  ]);
  // Ivan: a guest visit, later an account of his own, then a login that proves both are him
  await api.ingest([{ id: 'i-guest', type: 'checkout', timestamp: at(7), identifiers: { device: IVAN.guestDevice, customer: IVAN.customer } }]);
  await api.ingest([{ id: 'i-signup', type: 'signup', timestamp: at(8), identifiers: { email: IVAN.email, phone: IVAN.phone } }]);
  const alias = await api.personaOf({ type: 'email', value: IVAN.email });
  await api.ingest([{ id: 'i-login', type: 'login', timestamp: at(9), identifiers: { email: IVAN.email, customer: IVAN.customer } }]);
  const survivor = await api.personaOf({ type: 'email', value: IVAN.email });
  if (!alias || !survivor || alias.id === survivor.id) throw new Error('the seed expected Ivan\'s two personas to merge');
  return { ivanAlias: alias.id, ivanSurvivor: survivor.id };
}
