// The side tables a partition snapshot carries (claims, change feed, erasures): their snapshot
// encoding round-trips, snapshots written before the tables existed still load, and claims and
// changes behave as the embedded tables do.
import { describe, expect, it } from 'vitest';
import { claimKeyHash, decodeSnapshot, encodeSnapshot, ReplicaState } from '../../host/service/cluster/replica-state.js';

describe('partition side tables', () => {
  it('round-trip through a snapshot next to the engine bytes', () => {
    const state = new ReplicaState();
    state.claims.claim('t', 'spring', [['psn_1', 'email:a@b.bg'], ['psn_2']]);
    state.changes.record('t', 7, [{ kind: 'merge', personas: ['psn_1', 'psn_2'] }, { kind: 'erase', personas: ['psn_3'] }]);
    state.erasure.recordErased('t', 'email', ['abc']);
    const salt = state.erasure.erasedSalt('t');
    const shard = Uint8Array.from([1, 2, 3, 4, 5]);
    const { shard: bytes, state: loaded } = decodeSnapshot(Buffer.concat(encodeSnapshot(shard, state)));
    expect([...bytes]).toEqual([1, 2, 3, 4, 5]);
    expect(loaded.claims.claim('t', 'spring', [['email:a@b.bg'], ['psn_9']])).toEqual([false, true]);
    expect(loaded.changes.since('t', 0, 10)).toEqual(state.changes.since('t', 0, 10));
    expect(loaded.erasure.isErased('t', 'email', 'abc')).toBe(true);
    expect(loaded.erasure.erasedSalt('t').equals(salt)).toBe(true);
  });

  it('loads a snapshot without side tables (written before they existed) as engine bytes and empty tables', () => {
    const old = Buffer.from('engine bytes only');
    const { shard, state } = decodeSnapshot(old);
    expect(shard.equals(old)).toBe(true);
    expect(state.changes.since('t', 0, 10)).toEqual([]);
    expect(state.erasure.hasErased('t')).toBe(false);
  });

  it('claims a persona once per campaign, by any of its keys, and undoes a claim that was not logged', () => {
    const state = new ReplicaState();
    expect(state.claims.claim('t', 'c', [['psn_1', 'email:x'], ['psn_2']])).toEqual([true, true]);
    expect(state.claims.claim('t', 'c', [['psn_3', 'email:x'], ['psn_4']])).toEqual([false, true]);
    expect(state.claims.claim('t', 'other', [['psn_1']])).toEqual([true]);
    state.claims.startRecording();
    expect(state.claims.claim('t', 'c', [['psn_5']])).toEqual([true]);
    expect(state.claims.takeRecorded().get('c')).toEqual([claimKeyHash('psn_5')]);
    state.claims.forget('t', 'c', [claimKeyHash('psn_5')]);
    expect(state.claims.claim('t', 'c', [['psn_5']])).toEqual([true]);
  });

  it('pages the change feed by cursor and records a replayed entry once', () => {
    const feed = new ReplicaState().changes;
    feed.record('t', 3, [{ kind: 'merge' }, { kind: 'split' }]);
    feed.record('t', 5, [{ kind: 'erase' }]);
    feed.record('t', 5, [{ kind: 'erase' }]); // replay of an entry already applied
    const all = feed.since('t', 0, 10);
    expect(all.map((c) => c.cursor)).toEqual([3_000_000, 3_000_001, 5_000_000]);
    expect(feed.since('t', all[0].cursor, 10)).toEqual(all.slice(1));
    expect(feed.since('t', 0, 2)).toEqual(all.slice(0, 2));
    expect(feed.since('other', 0, 10)).toEqual([]);
  });
});
