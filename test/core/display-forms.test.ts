// The form an email was last typed in (its display form) lives in the arena after the value's entry
// (layout 9): an entry gains a display slot when its first display form comes, by being written again.
import { describe, expect, it } from 'vitest';
import type { EncodedEvent } from '../../host/engine/shard.js';
import { EMAIL, PHONE, newShard, nodeOf, type Fixture } from './helpers.js';

const VALUE = 'ivan.petrov@mail.bg';

function seen(f: Fixture, display: string | undefined, time: number, seq: number, extra: EncodedEvent[] = []): void {
  const identifiers = [{ type: EMAIL, value: VALUE, ...(display !== undefined ? { display } : {}) }];
  f.shard.applyEvents([{ tenant: f.tenant, evidence: 'authenticated', item: 0, time, identifiers }, ...extra], seq);
}

function filler(f: Fixture, count: number, prefix: string): EncodedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    tenant: f.tenant, evidence: 'authenticated', item: i + 1, time: 0,
    identifiers: [{ type: PHONE, value: `+35988${prefix}${String(i).padStart(5, '0')}` }],
  }));
}

describe('display forms', () => {
  it('keeps the latest form an email was typed in, whether or not it had one when first seen', () => {
    const withForm = newShard();
    seen(withForm, 'Ivan.Petrov@Mail.bg', 10, 1);
    const plain = newShard();
    seen(plain, undefined, 10, 1);
    expect(withForm.shard.node(nodeOf(withForm, [EMAIL, VALUE])).display).toBe('Ivan.Petrov@Mail.bg');
    expect(plain.shard.node(nodeOf(plain, [EMAIL, VALUE])).display).toBeNull();

    // the plain node's entry gains a display slot: it is written again, and the node still resolves
    seen(plain, 'IVAN.PETROV@mail.bg', 20, 2, filler(plain, 3000, '1')); // and the identifier table grows
    const node = nodeOf(plain, [EMAIL, VALUE]);
    expect(plain.shard.node(node)).toMatchObject({ value: VALUE, display: 'IVAN.PETROV@mail.bg', firstSeen: 10, lastSeen: 20 });
    seen(plain, 'Ivan.Petrov@mail.bg', 30, 3);
    expect(plain.shard.node(node).display).toBe('Ivan.Petrov@mail.bg');
    seen(plain, undefined, 25, 4); // older than the last sighting: the form stays
    expect(plain.shard.node(node).display).toBe('Ivan.Petrov@mail.bg');
    seen(plain, undefined, 40, 5); // typed as it is normalized
    expect(plain.shard.node(node)).toMatchObject({ value: VALUE, display: null });
    expect(nodeOf(plain, [EMAIL, VALUE])).toBe(node);
  });

  it('erasing leaves no copy of the value or its forms in the shard, the entry written before its display slot included', () => {
    const f = newShard();
    seen(f, undefined, 10, 1);
    seen(f, 'Ivan.Petrov@MAIL.bg', 20, 2);
    const node = nodeOf(f, [EMAIL, VALUE]);
    // overwrite the writer inbox and the reader slot that held the value on its way in
    f.shard.applyEvents(filler(f, 50, '2'), 3);
    nodeOf(f, [PHONE, '+35988200000000000000000000000000000000000000']);
    const memory = () => Buffer.from(f.shard.memory.buffer);
    expect(memory().includes(Buffer.from(VALUE))).toBe(true);
    f.shard.erase(node);
    expect(memory().includes(Buffer.from(VALUE))).toBe(false);
    expect(memory().includes(Buffer.from('Ivan.Petrov@MAIL.bg'))).toBe(false);
    expect(f.shard.node(node).display).toBeNull();
    expect(nodeOf(f, [EMAIL, VALUE])).toBe(0);
  });
});
