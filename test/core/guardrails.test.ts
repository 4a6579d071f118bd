// Guardrails (tenant setting): per-type limits and weak evidence refuse unions and leave both
// personas untouched; identifiers seen with too many people are marked shared and stop linking;
// blocked identifiers link nothing, with guardrails on or off.
import { describe, expect, it } from 'vitest';
import { DECISION_NAMES } from '../../host/engine/layout.js';
import { NODE_FLAG } from '../../host/engine/shard.js';
import {
  DEVICE, EMAIL, PHONE, CUSTOMER, PLAIN, newShard, ingest, recordOf, nodeOf, describePersona,
  checkPersonaInvariants, type Id, type Fixture,
} from './helpers.js';
import type { TenantSettings } from '../../host/engine/shard.js';

const GUARDED: TenantSettings = { guardrails: true, limits: [2, 2, 0, 1, 0], sharedAt: [0, 0, 3, 0, 0] };

function decisionOf(f: Fixture, x: Id, y: Id): string {
  const a = nodeOf(f, x);
  const b = nodeOf(f, y);
  const edge = f.shard.edges(f.shard.rootOf(a)).find((e) => (e.a === a && e.b === b) || (e.a === b && e.b === a));
  if (!edge) throw new Error('no edge');
  return DECISION_NAMES[edge.decision];
}

describe('guardrails', () => {
  it('a union over a per-type limit is refused and leaves both personas untouched', () => {
    const f = newShard('shop', GUARDED);
    const a: Id[] = [[CUSTOMER, 'c-1'], [EMAIL, 'a1@x.bg'], [EMAIL, 'a2@x.bg']];
    const b: Id[] = [[EMAIL, 'b1@x.bg'], [PHONE, '+359888000001']];
    ingest(f, [{ ids: a, time: 1000 }], 1);
    ingest(f, [{ ids: b, time: 2000 }], 2);
    const before = [describePersona(f.shard, recordOf(f, a[0])), describePersona(f.shard, recordOf(f, b[0]))];
    const refusedBefore = f.shard.tenantStats(f.tenant).refused;
    // strong evidence, but a would hold 3 emails (limit 2)
    ingest(f, [{ ids: [a[1], b[0]], time: 3000 }], 3);
    expect(recordOf(f, a[1])).not.toBe(recordOf(f, b[0]));
    expect(describePersona(f.shard, recordOf(f, a[0]))).toEqual({ ...before[0], updatedAt: 3000 });
    expect(describePersona(f.shard, recordOf(f, b[0]))).toEqual({ ...before[1], updatedAt: 3000 });
    expect(decisionOf(f, a[1], b[0])).toBe('refused_limit');
    expect(f.shard.tenantStats(f.tenant).refused).toBe(refusedBefore + 1);
    // a second customer id is over its limit of 1 too
    ingest(f, [{ ids: [[CUSTOMER, 'c-2'], a[0]], time: 4000 }], 4);
    expect(recordOf(f, [CUSTOMER, 'c-2'])).not.toBe(recordOf(f, a[0]));
    // the same union with guardrails off goes through
    f.shard.configureTenant(f.tenant, PLAIN);
    ingest(f, [{ ids: [a[1], b[0]], time: 5000 }], 5);
    expect(recordOf(f, a[1])).toBe(recordOf(f, b[0]));
    checkPersonaInvariants(f.shard, recordOf(f, a[1]));
  });

  it('weak evidence between two identified personas is refused; with an anonymous one it merges', () => {
    const f = newShard('shop', GUARDED);
    const aliceDevice: Id = [DEVICE, 'dev-alice'];
    const alice: Id = [EMAIL, 'alice@x.bg'];
    const bob: Id = [EMAIL, 'bob@x.bg'];
    ingest(f, [{ ids: [alice, aliceDevice], time: 1000 }, { ids: [bob], time: 1000 }], 1);
    const before = describePersona(f.shard, recordOf(f, bob));
    // bob's link clicked on alice's device: weak
    ingest(f, [{ ids: [bob, aliceDevice], time: 2000, evidence: 'click' }], 2);
    expect(recordOf(f, bob)).not.toBe(recordOf(f, alice));
    expect(describePersona(f.shard, recordOf(f, bob))).toEqual({ ...before, updatedAt: 2000 });
    expect(decisionOf(f, bob, aliceDevice)).toBe('refused_weak');
    // a weak click from an anonymous device joins it to bob
    const anonymous: Id = [DEVICE, 'dev-anon'];
    ingest(f, [{ ids: [anonymous], time: 2500 }], 3);
    ingest(f, [{ ids: [bob, anonymous], time: 3000, evidence: 'click' }], 4);
    expect(recordOf(f, anonymous)).toBe(recordOf(f, bob));
    // strong evidence between the two identified personas merges them
    ingest(f, [{ ids: [bob, alice], time: 4000 }], 5);
    expect(recordOf(f, bob)).toBe(recordOf(f, alice));
    checkPersonaInvariants(f.shard, recordOf(f, bob));
  });

  it('two identified personas meeting are re-clustered strongest evidence first: a device moves to who logs in on it', () => {
    const f = newShard('shop', { guardrails: true, limits: [0, 0, 0, 0, 0], sharedAt: [0, 0, 0, 0, 0] });
    const device: Id = [DEVICE, 'dev-1'];
    const alice: Id[] = [[EMAIL, 'alice@x.bg'], [CUSTOMER, 'c-alice']];
    const bob: Id[] = [[EMAIL, 'bob@x.bg'], [CUSTOMER, 'c-bob']];
    ingest(f, [{ ids: alice, time: 1000 }, { ids: bob, time: 1000 }], 1);
    const aliceId = f.shard.personaId(recordOf(f, alice[0]));
    const bobId = f.shard.personaId(recordOf(f, bob[0]));
    // alice clicked a link on the device (weak): the anonymous device joins her
    ingest(f, [{ ids: [alice[0], device], time: 2000, evidence: 'click' }], 2);
    expect(recordOf(f, device)).toBe(recordOf(f, alice[0]));
    // bob logs in on it: his evidence is stronger, so the device moves to him and the weak link is refused
    const journal = f.shard.applyEvents([{ tenant: f.tenant, evidence: 'authenticated', item: 0, time: 3000, identifiers: [bob[0], device].map(([type, value]) => ({ type, value })) }], 3);
    expect(recordOf(f, device)).toBe(recordOf(f, bob[0]));
    expect(recordOf(f, alice[0])).toBe(recordOf(f, alice[1]));
    expect(recordOf(f, alice[0])).not.toBe(recordOf(f, bob[0]));
    expect(f.shard.personaId(recordOf(f, alice[0]))).toBe(aliceId);
    expect(f.shard.personaId(recordOf(f, bob[0]))).toBe(bobId);
    expect(decisionOf(f, alice[0], device)).toBe('refused_weak');
    expect(journal.map((e) => e.kind)).toEqual(['recluster_from', 'recluster_from', 'recluster_to', 'recluster_to']);
    for (const id of [alice[0], bob[0]]) checkPersonaInvariants(f.shard, recordOf(f, id));
  });

  it('a device seen with too many people (a kiosk) is marked shared and its persona re-clustered without it', () => {
    const f = newShard('shop', GUARDED); // device shared at more than 3 person partners
    const kiosk: Id = [DEVICE, 'kiosk'];
    const people: Id[] = Array.from({ length: 5 }, (_, i): Id => [EMAIL, `p${i}@x.bg`]);
    ingest(f, [{ ids: [kiosk, people[0]], time: 1000 }], 1);
    ingest(f, [{ ids: [kiosk, people[1]], time: 2000 }], 2);
    expect(recordOf(f, people[0])).toBe(recordOf(f, people[1])); // glued by the kiosk so far
    ingest(f, [{ ids: [kiosk, people[2]], time: 3000 }, { ids: [kiosk, people[3]], time: 4000 }], 3);
    const kioskNode = f.shard.node(nodeOf(f, kiosk));
    expect(kioskNode.flags & NODE_FLAG.SHARED).not.toBe(0);
    expect(kioskNode.partners).toBe(4);
    const records = people.slice(0, 4).map((p) => recordOf(f, p));
    expect(new Set(records).size).toBe(4);
    expect(f.shard.persona(recordOf(f, kiosk)).members).toBe(1);
    for (const r of [...records, recordOf(f, kiosk)]) checkPersonaInvariants(f.shard, r);
    expect(f.shard.tenantStats(f.tenant).shared).toBe(1);
    // a shared device links nobody any more
    ingest(f, [{ ids: [kiosk, people[4]], time: 5000 }], 4);
    expect(recordOf(f, people[4])).not.toBe(recordOf(f, kiosk));
    expect(decisionOf(f, kiosk, people[4])).toBe('ignored');
    // the first person keeps the persona id it had before the kiosk glued others to it
    expect(f.shard.persona(records[0]).founder).toBe(nodeOf(f, people[0]));
  });

  it.each([true, false])('blocked identifiers link nothing (guardrails %s)', (guardrails) => {
    const f = newShard('shop', { ...GUARDED, guardrails });
    const junk = { type: EMAIL, value: 'test@test.com', blocked: true };
    const a: Id = [DEVICE, 'dev-a'];
    const b: Id = [DEVICE, 'dev-b'];
    f.shard.applyEvents([
      { tenant: f.tenant, evidence: 'authenticated', item: 0, time: 1000, identifiers: [junk, { type: a[0], value: a[1] }] },
      { tenant: f.tenant, evidence: 'authenticated', item: 1, time: 1000, identifiers: [{ type: b[0], value: b[1] }, junk] },
    ], 1);
    const junkNode = nodeOf(f, [EMAIL, junk.value]);
    expect(junkNode).not.toBe(0);
    expect(f.shard.node(junkNode).flags & NODE_FLAG.BLOCKED).not.toBe(0);
    expect(recordOf(f, a)).not.toBe(recordOf(f, b));
    expect(recordOf(f, [EMAIL, junk.value])).not.toBe(recordOf(f, a));
    expect(f.shard.edges(f.shard.rootOf(junkNode))).toHaveLength(0);
    expect(f.shard.counts().edges).toBe(0);
  });
});
