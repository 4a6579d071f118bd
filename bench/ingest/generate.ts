// A realistic NDJSON event file for the ingest benchmark: people with devices, emails, phones and
// customer ids, sending page views, logins and checkouts. Seeded: the same arguments, the same file.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../seeded-random.js';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Writes `events` events for about events/8 people; returns the file's byte size. */
export async function generateEvents(path: string, events: number, seed = 1): Promise<void> {
  const random = mulberry32(seed);
  const people = Math.max(1, Math.floor(events / 8));
  const out = createWriteStream(path);
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < events; i++) {
    const person = Math.floor(random() * people);
    const device = `${hex(person, 8)}-0000-4000-8000-${hex(Math.floor(random() * 3), 12)}`;
    const kind = random();
    const timestamp = new Date(start + Math.floor(random() * 90 * 86_400_000)).toISOString();
    const identifiers: Record<string, string> = { device };
    let type = 'page';
    if (kind > 0.6) {
      type = 'login';
      identifiers.customer = `c-${person}`;
    }
    if (kind > 0.85) {
      type = 'checkout';
      identifiers.email = `Person.${person}@Example.bg`;
      identifiers.phone = `0888 ${String(person % 1_000_000).padStart(6, '0')}`;
    }
    const line = JSON.stringify({ id: `ev-${seed}-${i}`, type, timestamp, identifiers });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
