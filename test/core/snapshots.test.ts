// Snapshots: bytes in, the same graph out; the same operations always give the same bytes, and a
// snapshot taken half-way, restored and continued gives the bytes of never having snapshotted.
import { describe, expect, it } from 'vitest';
import { Shard, SnapshotLayoutError, type TenantSettings } from '../../host/engine/shard.js';
import { LAYOUT_VERSION, HEADER, type EventEvidence } from '../../host/engine/layout.js';
import {
  DEVICE, EMAIL, PHONE, CUSTOMER, SUBSCRIBER, event, rng, randomInt, describePersona, checkPersonaInvariants,
  type Id,
} from './helpers.js';

const GUARDED: TenantSettings = { guardrails: true, limits: [3, 3, 0, 2, 0], sharedAt: [0, 0, 4, 0, 0] };
const PLAIN: TenantSettings = { guardrails: false, limits: [0, 0, 0, 0, 0], sharedAt: [0, 0, 0, 0, 0] };
const TYPES = [EMAIL, PHONE, DEVICE, CUSTOMER, SUBSCRIBER];
/** Mostly authenticated events, some ordinary ones and clicks, from one random draw. */
const evidenceFor = (roll: number): EventEvidence => (roll < 0.7 ? 'authenticated' : roll < 0.85 ? 'ordinary' : 'click');

/** A scripted history over two tenants: batches, splits and erasures, all decided by the seed. */
type Step = (shard: Shard) => void;

function history(seed: number, steps: number): Step[] {
  const next = rng(seed);
  const id = (tenantName: string): Id => [TYPES[randomInt(next, TYPES.length)], `${tenantName}-v${randomInt(next, 400)}`];
  const out: Step[] = [
    (s) => s.configureTenant(s.registerTenant('guarded'), GUARDED),
    (s) => s.configureTenant(s.registerTenant('plain'), PLAIN),
  ];
  for (let step = 0; step < steps; step++) {
    const roll = next();
    const tenantName = next() < 0.5 ? 'guarded' : 'plain';
    if (roll < 0.8) {
      const events = Array.from({ length: 1 + randomInt(next, 40) }, (_, item) => ({
        ids: Array.from({ length: 1 + randomInt(next, 4) }, () => id(tenantName)),
        time: 1_700_000_000_000 + randomInt(next, 1e6),
        evidence: evidenceFor(next()),
        item,
      }));
      const seq = step + 1;
      out.push((s) => {
        const tenant = s.tenant(tenantName);
        s.applyEvents(events.map((e) => event(tenant, e)), seq);
      });
    } else {
      const probe = id(tenantName);
      const pick = next();
      const erase = roll > 0.93;
      out.push((s) => {
        const node = s.lookupNode(s.tenant(tenantName), { type: probe[0], value: probe[1] });
        if (node === 0) return;
        if (erase) {
          s.erase(node);
          return;
        }
        const root = s.rootOf(node);
        const members = s.members(root);
        if (members.length < 2) return;
        s.split(root, [members[Math.floor(pick * members.length)]], []);
      });
    }
  }
  return out;
}

function run(steps: Step[], shard = Shard.create()): Shard {
  for (const step of steps) step(shard);
  return shard;
}

/** Everything a reader can ask, in values: every known identifier's persona, stats, settings. */
function answers(shard: Shard): unknown {
  const out: Record<string, unknown> = {};
  for (const name of shard.tenantNames()) {
    const tenant = shard.tenant(name);
    const personas: unknown[] = [];
    const described = new Map<number, unknown>();
    for (let node = 1; node <= shard.counts().nodes; node++) {
      const view = shard.node(node);
      if (view.tenant !== tenant) continue;
      const record = shard.resolveRecords(tenant, [{ type: view.type, value: view.value }])[0];
      if (record === 0) {
        personas.push([view.type, view.value, null]);
        continue;
      }
      if (!described.has(record)) {
        checkPersonaInvariants(shard, record);
        described.set(record, [describePersona(shard, record), shard.edges(shard.rootOf(node)).length]);
      }
      personas.push([view.type, view.value, described.get(record)]);
    }
    out[name] = { personas, stats: shard.tenantStats(tenant), settings: shard.tenantSettings(tenant) };
  }
  return out;
}

describe('snapshots', () => {
  it('a restored shard answers every query as the original does', () => {
    const original = run(history(1, 150));
    const restored = Shard.restore(original.snapshot());
    expect(restored.counts()).toEqual(original.counts());
    expect(restored.appliedSeq()).toBe(original.appliedSeq());
    expect(answers(restored)).toEqual(answers(original));
    // persona ids, aliases included, resolve the same way
    for (let record = 1; record <= original.counts().personaRecords; record++) {
      const id = original.personaId(record);
      expect(restored.activeRecordById(id)).toBe(original.activeRecordById(id));
    }
  });

  it('the same operations give byte-identical snapshots', () => {
    for (const seed of [2, 3]) {
      const steps = history(seed, 120);
      const a = run(steps).snapshot();
      const b = run(steps).snapshot();
      expect(a.equals(b)).toBe(true);
    }
    // and different operations do not
    expect(run(history(4, 60)).snapshot().equals(run(history(5, 60)).snapshot())).toBe(false);
  });

  it('snapshot, restore and continue gives the bytes of never having snapshotted', () => {
    const steps = history(6, 160);
    const straight = run(steps).snapshot();
    for (const cut of [2, 50, 110]) {
      const first = run(steps.slice(0, cut));
      const resumed = run(steps.slice(cut), Shard.restore(first.snapshot()));
      expect(resumed.snapshot().equals(straight), `snapshot after step ${cut}`).toBe(true);
    }
  });

  it('snapshot bytes do not depend on reads, reader threads\' scratch or the request bytes', () => {
    const steps = history(7, 40);
    const quiet = run(steps).snapshot();
    const busy = run(steps);
    const reader = Shard.attach(busy.memory, 3);
    for (const name of busy.tenantNames()) {
      reader.resolveRecords(reader.tenant(name), [{ type: EMAIL, value: `${name}-v1` }, { type: DEVICE, value: 'x'.repeat(500) }]);
    }
    expect(busy.snapshot().equals(quiet)).toBe(true);
  });

  it('refuses bytes that are not a whole snapshot', () => {
    const bytes = run(history(8, 10)).snapshot();
    expect(() => Shard.restore(new Uint8Array(1000))).toThrow(/does not hold a shard/);
    expect(() => Shard.restore(bytes.subarray(0, bytes.length - 4096))).toThrow(/truncated/);
    const padded = Buffer.concat([bytes, Buffer.alloc(16)]);
    expect(() => Shard.restore(padded)).toThrow(/truncated or padded/);
  });
});

describe('snapshots of another layout', () => {
  it('are refused with a SnapshotLayoutError naming both layouts, not restored', () => {
    const shard = Shard.create();
    shard.configureTenant(shard.registerTenant('t'), PLAIN);
    const bytes = shard.snapshot();
    const header = shard.coreExports().headerAddress();
    const older = Buffer.from(bytes);
    older.writeUInt32LE(LAYOUT_VERSION - 1, header + HEADER.VERSION);
    expect(() => Shard.restore(older)).toThrow(SnapshotLayoutError);
    expect(() => Shard.restore(older)).toThrow(`snapshot has shard layout ${LAYOUT_VERSION - 1}; this core reads layout ${LAYOUT_VERSION}`);
    expect(Shard.restore(bytes).tenant('t')).toBe(1);
  });
});
