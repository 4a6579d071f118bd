// The JetStream partition log against one real nats-server: ordering, idempotency (per item, per
// retried batch, across restarts and purges), GDPR rewrite and purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { JetStreamPartitionLog } from '../../host/store/jetstream-log.js';
import { encodeEntry, MESSAGE_TYPE, replacementSubject } from '../../host/store/jetstream-log-format.js';
import { partitionStreamName, partitionSubjectPrefix } from '../../host/store/jetstream-partitions.js';
import type { LogItem } from '../../host/store/types.js';
import { startSingleServer, stopAll, type NatsServer } from './nats-servers.js';
import { connectTo, tenantIn, warnings } from './helpers.js';

let server: NatsServer;
let conn: JetStreamConnection;
const extraConnections: JetStreamConnection[] = [];

beforeAll(async () => {
  server = await startSingleServer('log');
  conn = await connectTo([server]);
});

afterAll(async () => {
  for (const c of [conn, ...extraConnections]) await c?.close();
  if (server) await stopAll([server]);
});

async function otherConnection(): Promise<JetStreamConnection> {
  const c = await connectTo([server]);
  extraConnections.push(c);
  return c;
}

const event = (id: string, extra: Record<string, unknown> = {}): LogItem => ({ id, body: { id, ...extra } });

/** How many messages the partition's stream holds right now. */
async function storedMessages(partition: number): Promise<number> {
  return (await conn.jsm.streams.info(partitionStreamName(partition))).state.messages;
}

/** Wraps `js.publish` to record every ack it returns. */
function recordAcks(js: JetStreamClient): PubAck[] {
  const acks: PubAck[] = [];
  const real = js.publish.bind(js);
  js.publish = async (...args) => {
    const ack = await real(...args);
    acks.push(ack);
    return ack;
  };
  return acks;
}

describe('JetStreamPartitionLog: append and read', () => {
  it('returns stream sequences in order and reads entries back in that order, by page and by tenant', async () => {
    const a = tenantIn(0, 'shop-a');
    const b = tenantIn(0, 'shop-b');
    const log = await JetStreamPartitionLog.open(conn, { partition: 0 });
    const appended: { seq: number; tenant: string; items: unknown[] }[] = [];
    for (let i = 0; i < 7; i++) {
      const tenant = i % 2 === 0 ? a : b;
      const items = [event(`e${i}`, { n: i }), { body: { anonymous: i } }];
      const { seq, duplicate } = await log.append(tenant, 'events', items);
      expect(duplicate).toEqual([false, false]);
      appended.push({ seq: seq!, tenant, items: items.map((item) => item.body) });
    }
    const seqs = appended.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);

    const all = await log.read(0, 100);
    expect(all.map((e) => [e.seq, e.tenant, e.kind, e.items])).toEqual(appended.map((e) => [e.seq, e.tenant, 'events', e.items]));
    expect(all.every((e) => typeof e.at === 'number' && e.at > 0)).toBe(true);

    const paged = [];
    for (let after = 0; ; ) {
      const page = await log.read(after, 3);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(3);
      paged.push(...page);
      after = page[page.length - 1].seq;
    }
    expect(paged).toEqual(all);

    expect((await log.readTenant(b, 0, 100)).map((e) => e.seq)).toEqual(appended.filter((e) => e.tenant === b).map((e) => e.seq));
    expect(await log.read(seqs[6], 10)).toEqual([]);
    expect(await log.lastSeq()).toBe(seqs[6]);
    await log.close();
  });

  it('drops duplicate ids within one call and across calls, per tenant', async () => {
    const tenant = tenantIn(1, 'dups');
    const other = tenantIn(1, 'dups-other');
    const log = await JetStreamPartitionLog.open(conn, { partition: 1 });
    const first = await log.append(tenant, 'events', [event('a'), event('b'), event('a', { again: true })]);
    expect(first.duplicate).toEqual([false, false, true]);
    const second = await log.append(tenant, 'events', [event('b'), event('c'), { body: 'no id' }]);
    expect(second.duplicate).toEqual([true, false, false]);
    const allDuplicates = await log.append(tenant, 'events', [event('a'), event('c')]);
    expect(allDuplicates).toEqual({ seq: null, duplicate: [true, true] });
    // Ids are per tenant.
    expect((await log.append(other, 'events', [event('a')])).duplicate).toEqual([false]);

    const entries = await log.readTenant(tenant, 0, 10);
    expect(entries.map((e) => e.items)).toEqual([[{ id: 'a' }, { id: 'b' }], [{ id: 'c' }, 'no id']]);
    expect(entries.map((e) => e.seq)).toEqual([first.seq, second.seq]);
    await log.close();
  });

  it('stores a retried batch whose first ack was lost exactly once', async () => {
    const tenant = tenantIn(2, 'lost-ack');
    const log = await JetStreamPartitionLog.open(conn, { partition: 2 });
    await log.append(tenant, 'events', [event('before')]);
    const batch = [event('x1'), event('x2'), event('x3')];

    // The publish reaches the stream, but its ack never comes back.
    const real = conn.js.publish.bind(conn.js);
    conn.js.publish = async (...args) => {
      await real(...args);
      throw new Error('ack lost on the way back');
    };
    try {
      await expect(log.append(tenant, 'events', batch)).rejects.toThrow('ack lost');
    } finally {
      conn.js.publish = real;
    }
    const retry = await log.append(tenant, 'events', batch);
    expect(retry).toEqual({ seq: null, duplicate: [true, true, true] });
    const ids = (await log.readTenant(tenant, 0, 10)).flatMap((e) => e.items.map((item) => (item as { id: string }).id));
    expect(ids).toEqual(['before', 'x1', 'x2', 'x3']);
    await log.close();
  });

  it('lets the server drop a whole batch another writer already stored (Nats-Msg-Id), and re-reads what it missed', async () => {
    const tenant = tenantIn(3, 'msgid');
    const first = await JetStreamPartitionLog.open(await otherConnection(), { partition: 3 });
    const staleConn = await otherConnection();
    const stale = await JetStreamPartitionLog.open(staleConn, { partition: 3 });
    const acks = recordAcks(staleConn.js);
    const batch = [event('m1'), event('m2')];

    const stored = await first.append(tenant, 'events', batch);
    expect(stored.seq).not.toBeNull();
    // `stale` has not seen that entry: it publishes the same batch, the server reports it as a duplicate.
    expect(await stale.append(tenant, 'events', batch)).toEqual({ seq: null, duplicate: [true, true] });
    expect(acks).toEqual([expect.objectContaining({ duplicate: true, seq: stored.seq })]);

    // A different batch sharing an id with one `stale` has not seen: the expected-sequence check
    // makes it re-read the stream first, so the shared id is a duplicate.
    const more = await first.append(tenant, 'events', [event('m3')]);
    const mixed = await stale.append(tenant, 'events', [event('m3'), event('m4')]);
    expect(mixed.duplicate).toEqual([true, false]);
    expect(mixed.seq).toBeGreaterThan(more.seq!);

    const ids = (await stale.readTenant(tenant, 0, 10)).flatMap((e) => e.items.map((item) => (item as { id: string }).id));
    expect(ids).toEqual(['m1', 'm2', 'm3', 'm4']);
    await Promise.all([first.close(), stale.close()]);
  });

  it('keeps ids duplicate after a client restart, beyond the server duplicate window', async () => {
    const tenant = tenantIn(4, 'restart');
    const windowMs = 1_000;
    let c = await connectTo([server]);
    let log = await JetStreamPartitionLog.open(c, { partition: 4, duplicateWindowMs: windowMs });
    const original = await log.append(tenant, 'events', [event('r1'), event('r2')]);
    await log.close();
    await c.close();
    await new Promise((resolve) => setTimeout(resolve, windowMs + 500));

    c = await otherConnection();
    log = await JetStreamPartitionLog.open(c, { partition: 4, duplicateWindowMs: windowMs });
    const before = await storedMessages(4);
    expect(await log.append(tenant, 'events', [event('r1'), event('r2')])).toEqual({ seq: null, duplicate: [true, true] });
    const next = await log.append(tenant, 'events', [event('r2'), event('r3')]);
    expect(next.duplicate).toEqual([true, false]);
    expect(next.seq).toBeGreaterThan(original.seq!);
    expect(await storedMessages(4)).toBe(before + 1);
    await log.close();
  });

  it('rejects bad input with errors that name it', async () => {
    const log = await JetStreamPartitionLog.open(conn, { partition: 5 });
    const mine = tenantIn(5, 'bad');
    const foreign = tenantIn(6, 'bad');
    await expect(log.append(foreign, 'events', [event('a')])).rejects.toThrow(/belongs to partition 6, not 5/);
    await expect(log.append('Not A Tenant', 'events', [])).rejects.toThrow(/tenant must match/);
    await expect(log.append(mine, 'ev.ents', [event('a')])).rejects.toThrow(/kind must match/);
    await expect(log.append(mine, 'events', 'nope' as never)).rejects.toThrow(/items must be an array/);
    await expect(log.append(mine, 'events', [{ id: 'f', body: () => 1 }])).rejects.toThrow(/items\[0\]\.body is not JSON-serializable/);
    await expect(log.append(mine, 'events', [{ id: '', body: 1 }])).rejects.toThrow(/items\[0\]\.id must be a non-empty string/);
    await expect(log.read(-1, 10)).rejects.toThrow(/afterSeq must be an integer >= 0/);
    await expect(log.read(0, 0)).rejects.toThrow(/limit must be an integer >= 1/);
    await expect(log.rewrite(999, [])).rejects.toThrow(/no log entry with seq 999/);
    await expect(JetStreamPartitionLog.open(conn, { partition: 64 })).rejects.toThrow(/partition must be below partitions \(64\)/);
    expect(await log.append(mine, 'events', [])).toEqual({ seq: null, duplicate: [] });
    const big = Array.from({ length: 3 }, (_, i) => event(`big${i}`, { pad: 'x'.repeat(600_000) }));
    await expect(log.append(mine, 'events', big)).rejects.toThrow(/over the server's max_payload/);
    await log.close();
    await expect(log.read(0, 1)).rejects.toThrow(/is closed/);
  });
});

describe('JetStreamPartitionLog: rewrite (GDPR) and purge', () => {
  it('replaces an entry in place: replay returns it at its original seq, and the old content is gone from the stream', async () => {
    const tenant = tenantIn(10, 'gdpr');
    const log = await JetStreamPartitionLog.open(conn, { partition: 10 });
    const seqs: number[] = [];
    for (const id of ['g1', 'g2', 'g3']) seqs.push((await log.append(tenant, 'events', [event(id, { email: `${id}@x.test` })])).seq!);

    await log.rewrite(seqs[1], [{ id: 'g2' }]);
    const stream = partitionStreamName(10);
    expect(await conn.jsm.streams.getMessage(stream, { seq: seqs[1] })).toBeNull();
    const expected = [[{ id: 'g1', email: 'g1@x.test' }], [{ id: 'g2' }], [{ id: 'g3', email: 'g3@x.test' }]];
    const replay = await log.read(0, 10);
    expect(replay.map((e) => e.seq)).toEqual(seqs);
    expect(replay.map((e) => e.items)).toEqual(expected);
    // Paging lands on the replacement at its original position.
    expect((await log.read(seqs[0], 1)).map((e) => [e.seq, e.items])).toEqual([[seqs[1], [{ id: 'g2' }]]]);
    expect((await log.readTenant(tenant, seqs[0], 1)).map((e) => e.seq)).toEqual([seqs[1]]);
    expect(await log.lastSeq()).toBeGreaterThan(seqs[2]);

    // A second rewrite of the same entry replaces the replacement; the entry still appears once.
    await log.rewrite(seqs[1], [{ id: 'g2', erased: true }]);
    expect((await log.read(0, 10)).map((e) => e.items[0])).toEqual([expected[0][0], { id: 'g2', erased: true }, expected[2][0]]);
    // The rewritten entry keeps its ids: re-sending g2 is still a duplicate.
    expect((await log.append(tenant, 'events', [event('g2')])).duplicate).toEqual([true]);

    // A fresh reader rebuilds the same order from the stream.
    const reopened = await JetStreamPartitionLog.open(await otherConnection(), { partition: 10 });
    expect(await reopened.read(0, 10)).toEqual(await log.read(0, 10));
    expect((await reopened.append(tenant, 'events', [event('g2')])).duplicate).toEqual([true]);
    await expect(log.rewrite(seqs[2] + 1, [])).rejects.toThrow(/no log entry/);
    await Promise.all([log.close(), reopened.close()]);
  });

  it('finishes a rewrite interrupted between publishing the replacement and erasing the original', async () => {
    const tenant = tenantIn(11, 'crash');
    const log = await JetStreamPartitionLog.open(conn, { partition: 11 });
    const first = await log.append(tenant, 'events', [event('c1', { phone: '+100' })]);
    const second = await log.append(tenant, 'events', [event('c2')]);
    await log.close();
    // What a writer that died right after publishing the replacement leaves behind.
    const prefix = partitionSubjectPrefix(11);
    const payload = encodeEntry(
      { type: MESSAGE_TYPE.REPLACEMENT, tenant, kind: 'events', at: 1, ids: ['c1'], replaces: first.seq! },
      JSON.stringify([{ id: 'c1' }]),
    );
    await conn.js.publish(replacementSubject(prefix, tenant, 'events'), payload);
    expect(await conn.jsm.streams.getMessage(partitionStreamName(11), { seq: first.seq! })).not.toBeNull();

    const warned = warnings();
    const reopened = await JetStreamPartitionLog.open(conn, { partition: 11, logger: warned.log });
    expect(warned.messages.join()).toMatch(/removing 1 superseded message/);
    expect(await conn.jsm.streams.getMessage(partitionStreamName(11), { seq: first.seq! })).toBeNull();
    expect((await reopened.read(0, 10)).map((e) => [e.seq, e.items])).toEqual([
      [first.seq, [{ id: 'c1' }]],
      [second.seq, [{ id: 'c2' }]],
    ]);
    await reopened.close();
  });

  it('purges entries a snapshot covers, keeps their ids registered across a restart, and drops their replacements', async () => {
    const tenant = tenantIn(12, 'purge');
    const log = await JetStreamPartitionLog.open(conn, { partition: 12 });
    const seqs: number[] = [];
    for (let i = 1; i <= 5; i++) seqs.push((await log.append(tenant, 'events', [event(`p${i}`), event(`q${i}`)])).seq!);
    await log.rewrite(seqs[1], [{ id: 'p2' }]);
    const lastBefore = await log.lastSeq();

    expect(await log.purgeThrough(seqs[2])).toBe(3);
    expect((await log.read(0, 10)).map((e) => e.seq)).toEqual(seqs.slice(3));
    expect(await log.lastSeq()).toBeGreaterThanOrEqual(lastBefore);
    expect(await log.purgeThrough(seqs[2])).toBe(0);
    expect((await log.append(tenant, 'events', [event('p1'), event('q2'), event('p6')])).duplicate).toEqual([true, true, false]);

    const reopened = await JetStreamPartitionLog.open(await otherConnection(), { partition: 12 });
    expect((await reopened.read(0, 10)).map((e) => e.seq)).toEqual((await log.read(0, 10)).map((e) => e.seq));
    expect(await reopened.append(tenant, 'events', [event('p2'), event('q3'), event('p6')])).toEqual({
      seq: null,
      duplicate: [true, true, true],
    });
    // Purging past the end removes every entry and leaves the log appendable.
    expect(await reopened.purgeThrough((await reopened.lastSeq()) + 100)).toBe(3);
    expect(await reopened.read(0, 10)).toEqual([]);
    const after = await reopened.append(tenant, 'events', [event('p7')]);
    expect((await reopened.read(0, 10)).map((e) => e.seq)).toEqual([after.seq]);
    await Promise.all([log.close(), reopened.close()]);
  });
});
