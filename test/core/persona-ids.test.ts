// Persona ids: stable, derived from tenant + founding identifier; the older persona's id survives a
// merge and the other becomes an alias that still resolves; a split gives pieces their ids back; an
// erased founder's id (not stored in the persona record, layout 10) still resolves; a persona's
// createdAt (its founder's first-seen, kept in a created record once an earlier sighting moves that:
// layout 11) decides which persona is older.
import { describe, expect, it } from 'vitest';
import { Shard } from '../../host/engine/shard.js';
import { DEVICE, EMAIL, PHONE, CUSTOMER, newShard, ingest, recordOf, personaIdOf, nodeOf, type Id } from './helpers.js';

const ALICE_EMAIL: Id = [EMAIL, 'alice@x.bg'];
const ALICE_PHONE: Id = [PHONE, '+359888111222'];
const ALICE_DEVICE: Id = [DEVICE, '0b7c1a62-9f4e-4d1b-8a51-1c2d3e4f5a6b'];

describe('persona ids', () => {
  it('are deterministic: the same events give the same ids, another tenant gives other ids', () => {
    const events = [{ ids: [ALICE_EMAIL, ALICE_DEVICE], time: 1000 }, { ids: [ALICE_PHONE], time: 2000 }];
    const a = newShard('shop-a');
    const b = newShard('shop-a');
    const c = newShard('shop-c');
    for (const f of [a, b, c]) ingest(f, events);
    expect(personaIdOf(a, ALICE_EMAIL)).toMatch(/^psn_[0-9a-f]{16}$/);
    expect(personaIdOf(b, ALICE_EMAIL)).toBe(personaIdOf(a, ALICE_EMAIL));
    expect(personaIdOf(b, ALICE_PHONE)).toBe(personaIdOf(a, ALICE_PHONE));
    expect(personaIdOf(c, ALICE_EMAIL)).not.toBe(personaIdOf(a, ALICE_EMAIL));
    // the same tenant in another shard, reached after other tenants, still gives the same ids
    const d = newShard('other-first');
    const tenant = d.shard.registerTenant('shop-a');
    ingest({ shard: d.shard, tenant }, events);
    expect(personaIdOf({ shard: d.shard, tenant }, ALICE_EMAIL)).toBe(personaIdOf(a, ALICE_EMAIL));
  });

  it('the older persona survives a merge; the other id becomes an alias that resolves to it', () => {
    const f = newShard();
    ingest(f, [{ ids: [ALICE_EMAIL], time: 1000 }], 1); // older
    ingest(f, [{ ids: [ALICE_PHONE], time: 5000 }], 2); // younger, though a phone founds first when both are new
    const older = personaIdOf(f, ALICE_EMAIL);
    const younger = personaIdOf(f, ALICE_PHONE);
    expect(older).not.toBe(younger);
    ingest(f, [{ ids: [ALICE_PHONE, ALICE_EMAIL], time: 6000 }], 3);
    expect(personaIdOf(f, ALICE_PHONE)).toBe(older);
    expect(personaIdOf(f, ALICE_EMAIL)).toBe(older);
    const alias = f.shard.recordById(younger);
    expect(alias).not.toBe(0);
    expect(f.shard.persona(alias).active).toBe(false);
    expect(f.shard.activeRecordById(younger)).toBe(recordOf(f, ALICE_EMAIL));
    expect(f.shard.activeRecordById(older)).toBe(recordOf(f, ALICE_EMAIL));
    expect(f.shard.recordOfFounderNode(nodeOf(f, ALICE_PHONE))).toBe(alias);
    expect(f.shard.persona(recordOf(f, ALICE_EMAIL)).createdAt).toBe(1000);
    expect(f.shard.activeRecordById('psn_0000000000000000')).toBe(0);
    expect(f.shard.activeRecordById('not-an-id')).toBe(0);
  });

  it('on equal creation times the smaller id survives', () => {
    const f = newShard();
    const x: Id = [CUSTOMER, 'c-1'];
    const y: Id = [CUSTOMER, 'c-2'];
    ingest(f, [{ ids: [x], time: 1000 }, { ids: [y], time: 1000 }], 1);
    const ids = [personaIdOf(f, x), personaIdOf(f, y)].sort();
    ingest(f, [{ ids: [x, y], time: 2000 }], 2);
    expect(personaIdOf(f, x)).toBe(ids[0]);
  });

  it('a founder that joins from the start founds by stability: phone before customer before email before device', () => {
    const f = newShard();
    ingest(f, [{ ids: [ALICE_DEVICE, ALICE_EMAIL, ALICE_PHONE], time: 1000 }]);
    const record = recordOf(f, ALICE_EMAIL);
    expect(f.shard.persona(record).founder).toBe(nodeOf(f, ALICE_PHONE));
  });

  it('a split gives each piece holding an earlier founder that persona id back', () => {
    const f = newShard();
    const bob: Id = [EMAIL, 'bob@x.bg'];
    ingest(f, [{ ids: [ALICE_EMAIL, ALICE_DEVICE], time: 1000 }], 1);
    ingest(f, [{ ids: [bob], time: 2000 }], 2);
    const aliceId = personaIdOf(f, ALICE_EMAIL);
    const bobId = personaIdOf(f, bob);
    // a wrong merge: bob typed on alice's device
    ingest(f, [{ ids: [bob, ALICE_DEVICE], time: 3000 }], 3);
    expect(personaIdOf(f, bob)).toBe(aliceId);
    const root = f.shard.persona(recordOf(f, bob)).root;
    const wrong = f.shard.edges(root).filter((e) => [e.a, e.b].includes(nodeOf(f, bob)));
    expect(wrong).toHaveLength(1);
    const journal = f.shard.split(root, [], wrong.map((e) => e.edge));
    expect(personaIdOf(f, bob)).toBe(bobId);
    expect(personaIdOf(f, ALICE_EMAIL)).toBe(aliceId);
    expect(personaIdOf(f, ALICE_DEVICE)).toBe(aliceId);
    expect(f.shard.activeRecordById(bobId)).toBe(recordOf(f, bob));
    expect(journal.filter((e) => e.kind === 'recluster_to')).toHaveLength(2);
    // a piece with no earlier founder gets a new id from its most stable identifier
    const carol: Id = [EMAIL, 'carol@x.bg'];
    const carolPhone: Id = [PHONE, '+359888333444'];
    ingest(f, [{ ids: [carol, carolPhone, ALICE_EMAIL], time: 4000 }], 4);
    const merged = f.shard.persona(recordOf(f, carol));
    expect(merged.id).toBe(aliceId);
    f.shard.split(merged.root, [nodeOf(f, carol), nodeOf(f, carolPhone)], []);
    expect(personaIdOf(f, ALICE_EMAIL)).toBe(aliceId);
    const carolRecord = recordOf(f, carol);
    expect(carolRecord).toBe(recordOf(f, carolPhone));
    expect(f.shard.persona(carolRecord).founder).toBe(nodeOf(f, carolPhone));
  });

  it('an erased founder keeps its id resolving, whether its value was longer or shorter than the id, and leaves no copy of it', () => {
    const f = newShard();
    const shortCustomer: Id = [CUSTOMER, 'zq7x4']; // shorter than the 8-byte id: its entry is written again
    ingest(f, [{ ids: [ALICE_EMAIL], time: 1000 }, { ids: [shortCustomer], time: 1000 }], 1);
    const ids = [ALICE_EMAIL, shortCustomer].map((id) => personaIdOf(f, id));
    const records = ids.map((id) => f.shard.recordById(id));
    expect(new Set(records).size).toBe(2);
    ingest(f, [{ ids: [ALICE_PHONE, ALICE_EMAIL, shortCustomer], time: 2000 }], 2); // one is an alias now
    const memory = () => Buffer.from(f.shard.memory.buffer);
    for (const id of [ALICE_EMAIL, shortCustomer]) f.shard.erase(nodeOf(f, id));
    // the persona-id table grows after the erase: its rehash recomputes every id, the erased founders' too
    ingest(f, Array.from({ length: 3000 }, (_, i) => ({ ids: [[CUSTOMER, `filler-${i}`] as Id], time: 3000 })), 3);
    for (let i = 0; i < ids.length; i++) {
      expect(f.shard.recordById(ids[i])).toBe(records[i]);
      expect(f.shard.persona(records[i]).id).toBe(ids[i]);
    }
    nodeOf(f, [PHONE, '+35988200000000000000000000000000000000000000']); // overwrites the reader slot the erased keys passed through
    expect(memory().includes(Buffer.from(ALICE_EMAIL[1]))).toBe(false);
    expect(memory().includes(Buffer.from(shortCustomer[1]))).toBe(false);
    // the phone, alone now, founds its own persona again
    expect(personaIdOf(f, ALICE_PHONE)).not.toBe(ids[0]);
  });

  it("keeps createdAt when an earlier event re-sights a founder, so the older persona still survives", () => {
    const f = newShard();
    const bob: Id = [EMAIL, 'bob@x.bg'];
    const shortCustomer: Id = [CUSTOMER, 'c7']; // shorter than the 8-byte id an erase keeps
    ingest(f, [{ ids: [ALICE_EMAIL], time: 3000 }, { ids: [shortCustomer], time: 3500 }], 1);
    ingest(f, [{ ids: [bob], time: 2000 }], 2);
    const alice = recordOf(f, ALICE_EMAIL);
    const customer = recordOf(f, shortCustomer);
    // both re-sighted before they were first seen; alice's entry then also gains a display slot
    ingest(f, [{ ids: [ALICE_EMAIL], time: 1000 }, { ids: [shortCustomer], time: 500 }], 3);
    f.shard.applyEvents([{ tenant: f.tenant, evidence: 'authenticated', item: 0, time: 3100, identifiers: [{ type: EMAIL, value: ALICE_EMAIL[1], display: 'Alice@X.bg' }] }], 4);
    expect(f.shard.node(nodeOf(f, ALICE_EMAIL))).toMatchObject({ firstSeen: 1000, display: 'Alice@X.bg', value: ALICE_EMAIL[1] });
    expect(f.shard.persona(alice).createdAt).toBe(3000);
    expect(f.shard.persona(customer).createdAt).toBe(3500);
    // bob's persona (2000) is older than alice's (3000), though alice was first seen at 1000
    const bobId = personaIdOf(f, bob);
    ingest(f, [{ ids: [ALICE_EMAIL, bob, shortCustomer], time: 4000 }], 5);
    expect(personaIdOf(f, ALICE_EMAIL)).toBe(bobId);
    expect(f.shard.persona(alice)).toMatchObject({ active: false, createdAt: 3000 });
    // a restored shard and an erased short founder keep the frozen createdAt, and the id
    const restored = Shard.restore(f.shard.snapshot());
    expect(restored.persona(alice).createdAt).toBe(3000);
    const customerId = f.shard.personaId(customer);
    f.shard.erase(nodeOf(f, shortCustomer));
    expect(f.shard.persona(customer)).toMatchObject({ active: false, createdAt: 3500, id: customerId });
    expect(f.shard.recordById(customerId)).toBe(customer);
  });
});
