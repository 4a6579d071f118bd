// Deterministic data for the HTTP benchmark: the people a server is seeded with, and the request
// bodies and paths the load generator sends. Server and load generator build the same data from
// the same seed, so nothing large crosses the process boundary.
import { mulberry32 } from '../seeded-random.js';

/** People the resolve server holds: each an email, a customer id, a device and a phone. */
export const SEED_PEOPLE = 50_000;
export const LOOKUPS_PER_REQUEST = 10_000;
export const EVENTS_PER_BATCH = 1_000;
/** Distinct event batches cycled through; tenants alternate so both shards take writes. */
export const EVENT_BODIES = 40;
export const EVENT_TENANTS = ['shop-a', 'shop-b', 'shop-c', 'shop-d'];
export const RESOLVE_TENANT = 'shop-a';
/** Distinct GET /resolve paths cycled through. */
export const RESOLVE_PATHS = 1_000;

export const random = mulberry32;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

export function person(i: number) {
  return {
    email: `person.${i}@shop-mail.bg`,
    customer: `cust-${i}`,
    device: `${hex(i, 8)}-0000-4000-8000-${hex(i * 7919, 12)}`,
    phone: `+359 88 ${String(1_000_000 + i).slice(-7)}`,
  };
}

/** The events that seed the resolve server: one authenticated event per person. */
export function seedEvents(from: number, to: number): object[] {
  const events: object[] = [];
  for (let i = from; i < to; i++) {
    const p = person(i);
    events.push({ id: `seed-${i}`, type: 'login', timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), identifiers: p });
  }
  return events;
}

type Lookup = { type: string; value: string };

/** Share of batch lookups that name nobody (single GETs always hit: a miss would be a 404). */
const BATCH_MISS_SHARE = 0.05;

/** A lookup of a seeded person, or of nobody with probability ≈ missShare: emails, customers, devices, phones. */
function lookup(next: () => number, missShare: number): Lookup {
  const i = Math.floor(next() * SEED_PEOPLE * (1 + missShare));
  const p = person(i);
  const kind = next();
  if (kind < 0.4) return { type: 'email', value: p.email };
  if (kind < 0.7) return { type: 'customer', value: p.customer };
  if (kind < 0.9) return { type: 'device', value: p.device };
  return { type: 'phone', value: p.phone };
}

export function resolvePaths(): string[] {
  const next = random(1);
  return Array.from({ length: RESOLVE_PATHS }, () => {
    const { type, value } = lookup(next, 0);
    return `/v1/tenants/${RESOLVE_TENANT}/resolve?${type}=${encodeURIComponent(value)}`;
  });
}

export function resolveBatchBody(): string {
  const next = random(2);
  return JSON.stringify({ identifiers: Array.from({ length: LOOKUPS_PER_REQUEST }, () => lookup(next, BATCH_MISS_SHARE)) });
}

const PAGE_TYPES = ['page', 'page', 'page', 'product_view', 'add_to_cart', 'identify'];

/** Batches of tracker-like events: page views of devices, some identified by email or customer. */
export function eventBodies(): { path: string; body: string }[] {
  const next = random(3);
  return Array.from({ length: EVENT_BODIES }, (_, b) => {
    const events = Array.from({ length: EVENTS_PER_BATCH }, (_, e) => {
      const i = Math.floor(next() * 1_000_000);
      const p = person(i);
      const type = PAGE_TYPES[Math.floor(next() * PAGE_TYPES.length)];
      const identifiers: Record<string, string> = { device: p.device };
      if (type === 'identify') identifiers[next() < 0.5 ? 'email' : 'customer'] = next() < 0.5 ? p.email : p.customer;
      return {
        type,
        timestamp: new Date(Date.UTC(2026, 2, 1) + (b * EVENTS_PER_BATCH + e) * 100).toISOString(),
        identifiers,
        traits: { path: `/products/${i % 5000}`, referrer: 'https://www.google.com/' },
      };
    });
    return { path: `/v1/tenants/${EVENT_TENANTS[b % EVENT_TENANTS.length]}/events`, body: JSON.stringify({ events }) };
  });
}
