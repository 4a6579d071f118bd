// Append throughput of the JetStream partition log on one server, batches of 1,000 items: printed,
// so the number can be compared across changes (it is not a pass/fail bar on a shared machine).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { JetStreamPartitionLog } from '../../host/store/jetstream-log.js';
import type { LogItem } from '../../host/store/types.js';
import { startSingleServer, stopAll, type NatsServer } from './nats-servers.js';
import { connectTo, tenantIn } from './helpers.js';

const BATCH_ITEMS = 1_000;
const BATCHES = 60;
const WARMUP_BATCHES = 5;

let server: NatsServer;
let conn: JetStreamConnection;

beforeAll(async () => {
  server = await startSingleServer('bench');
  conn = await connectTo([server]);
});

afterAll(async () => {
  await conn?.close();
  if (server) await stopAll([server]);
});

/** A batch shaped like the service's logged events (ids, identifiers, traits). */
function batch(n: number): LogItem[] {
  return Array.from({ length: BATCH_ITEMS }, (_, i) => {
    const id = `evt-${n}-${i}`;
    return {
      id,
      body: {
        id,
        time: 1_700_000_000_000 + n * BATCH_ITEMS + i,
        auth: i % 3 === 0,
        ids: [['device', `d-${(n * 7 + i) % 5000}`, '', 0], ['email', `user${i % 900}@example.test`, '', 0]],
        traits: { plan: 'pro', visits: i },
      },
    };
  });
}

it(`appends batches of ${BATCH_ITEMS} items and reports appends/s`, async () => {
  const tenant = tenantIn(0, 'bench');
  const log = await JetStreamPartitionLog.open(conn, { partition: 0 });
  const batches = Array.from({ length: BATCHES + WARMUP_BATCHES }, (_, n) => batch(n));
  for (const items of batches.slice(0, WARMUP_BATCHES)) await log.append(tenant, 'events', items);

  const seqs: number[] = [];
  const started = performance.now();
  for (const items of batches.slice(WARMUP_BATCHES)) seqs.push((await log.append(tenant, 'events', items)).seq!);
  const seconds = (performance.now() - started) / 1000;

  const bytes = Buffer.byteLength(JSON.stringify(batches[0].map((item) => item.body)));
  console.log(
    `JetStream append, 1 server, R1: ${(BATCHES / seconds).toFixed(0)} appends/s of ${BATCH_ITEMS} items ` +
      `(${((BATCHES * BATCH_ITEMS) / seconds / 1000).toFixed(0)}k items/s, ~${(bytes / 1024).toFixed(0)} KiB per append)`,
  );
  expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1])).toBe(true);
  expect((await log.read(0, BATCHES + WARMUP_BATCHES)).length).toBe(BATCHES + WARMUP_BATCHES);
  await log.close();
});
