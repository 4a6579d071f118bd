// npx tsx bench/http/resolve-probe-cost.ts [--runs 30]
// What the core's probe of POST /resolve's lookups costs per key, split into its steps (the core's
// bench export resolveSteps: hash only; + identifier table probe and value compare; + persona record,
// i.e. the reader's root walk: the whole of resolveBatch), for hits and misses, on the seeded graph of
// the HTTP benchmarks (SEED_PEOPLE people). Each chunk of keys is encoded into the reader slot once
// per run and only the WASM call is timed, so the keys cycle through the table as a request's do.
// References in the same run: the core's find (benchFindRoots, the writer's path halving) over the
// nodes the hits found, and the key encoding (encodeKeys) per key.
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import type { Shard } from '../../host/engine/shard.js';
import { encodeKeys, type EncodedKey } from '../../host/engine/codec.js';
import type { CoreExports } from '../../host/engine/core.js';
import { engineKeysOf } from '../../host/service/lookup-keys.js';
import type { Identifier } from '../../host/types.js';
import { seededGraph } from './graphs.js';
import { LOOKUPS_PER_REQUEST, RESOLVE_TENANT, SEED_PEOPLE, person } from './workload.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(values.runs);
const KINDS = ['email', 'customer', 'device', 'phone'] as const;

const graph = await seededGraph();
const shards = (graph as unknown as { shards: { readers: Shard[]; shardOf(tenant: string): number } }).shards;
const shard = shards.readers[shards.shardOf(RESOLVE_TENANT)];
const tenant = shard.tenant(RESOLVE_TENANT);
const internals = shard as unknown as { bytes: Buffer; view: DataView; slotAddress(): number; constants: { READER_SLOT_BYTES: number }; core: CoreExports };
const { core } = internals;

/** LOOKUPS_PER_REQUEST keys of seeded people (hits) or of people past them (misses), kinds mixed, scattered. */
function keysOf(first: number, stride = 7919): EncodedKey[] {
  const identifiers: Identifier[] = Array.from({ length: LOOKUPS_PER_REQUEST }, (_, k) => {
    const p = person(first + ((k * stride) % SEED_PEOPLE));
    const type = KINDS[k % KINDS.length];
    return { type, value: p[type] };
  });
  return engineKeysOf(identifiers, graph.config(RESOLVE_TENANT)).map((key) => key!);
}

const slot = internals.slotAddress();
const half = internals.constants.READER_SLOT_BYTES / 2;
const out = slot + half;
const STEPS = ['hash', '+ table probe + value compare', '+ persona record (root walk) = resolveSteps 3'] as const;

/** ns per key of `call` over all keys, chunk by chunk as resolveRecords runs them (encoding untimed). */
function timeChunks(keys: EncodedKey[], call: (count: number) => void): number {
  let ns = 0;
  for (let start = 0; start < keys.length;) {
    const { count } = encodeKeys(internals.bytes, slot, half, keys, start, half / 4);
    const t = process.hrtime.bigint();
    call(count);
    ns += Number(process.hrtime.bigint() - t);
    start += count;
  }
  return ns / keys.length;
}

function encodeNs(keys: EncodedKey[]): number {
  const t = process.hrtime.bigint();
  for (let start = 0; start < keys.length;) start += encodeKeys(internals.bytes, slot, half, keys, start, half / 4).count;
  return Number(process.hrtime.bigint() - t) / keys.length;
}

// 'hits in seeding order': the same kinds of keys, people in the order they were seeded, so node
// records and value bytes are read nearly in address order (the table's slots stay scattered)
const sets = { hits: keysOf(0), 'hits in seeding order': keysOf(0, 1), misses: keysOf(SEED_PEOPLE * 2) };
// sanity: the hits all resolve, the misses none
const resolved = (keys: EncodedKey[]) => shard.resolveRecords(tenant, keys).filter((r) => r !== 0).length;
console.log(`hits resolved ${resolved(sets.hits)}/${LOOKUPS_PER_REQUEST}, misses resolved ${resolved(sets.misses)}/${LOOKUPS_PER_REQUEST}; nodes ${core.nodeCount()}`);

// the nodes the hits found, for the find reference
const hitNodes = new Uint32Array(LOOKUPS_PER_REQUEST);
{
  let start = 0;
  while (start < sets.hits.length) {
    const { count } = encodeKeys(internals.bytes, slot, half, sets.hits, start, half / 4);
    core.benchResolveSteps(tenant, slot, count, out, 2);
    for (let i = 0; i < count; i++) hitNodes[start + i] = internals.view.getUint32(out + i * 4, true);
    start += count;
  }
}
const findNs = (): number => {
  let ns = 0;
  const per = half / 4;
  for (let start = 0; start < hitNodes.length; start += per) {
    const chunk = hitNodes.subarray(start, start + per);
    for (let i = 0; i < chunk.length; i++) internals.view.setUint32(slot + i * 4, chunk[i], true);
    const t = process.hrtime.bigint();
    core.benchFindRoots(slot, chunk.length, out);
    ns += Number(process.hrtime.bigint() - t);
  }
  return ns / hitNodes.length;
};

const rows: [string, () => number][] = [];
for (const [name, keys] of Object.entries(sets)) {
  STEPS.forEach((step, s) => rows.push([`${name}: ${step}`, () => timeChunks(keys, (count) => core.benchResolveSteps(tenant, slot, count, out, s + 1))]));
  rows.push([`${name}: resolveBatch`, () => timeChunks(keys, (count) => core.resolveBatch(tenant, slot, count, out))]);
  rows.push([`${name}: encodeKeys`, () => encodeNs(keys)]);
}
rows.push(['reference: core find (benchFindRoots) of the hits\' nodes', findNs]);
const samples = rows.map(() => [] as number[]);
// every other run goes through the rows backwards, so no row always follows the same one (a row
// finds in cache what the one before it loaded)
for (let run = 0; run < RUNS; run++) {
  const order = rows.map((_, i) => (run % 2 === 0 ? i : rows.length - 1 - i));
  for (const i of order) samples[i].push(rows[i][1]());
}
console.log(`${LOOKUPS_PER_REQUEST} keys per set, ${RUNS} runs, load ${loadavg()[0].toFixed(1)}`);
console.log('| step | min ns/key | median ns/key |\n|---|---:|---:|');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
rows.forEach(([name], i) => {
  const sorted = [...samples[i]].sort((a, b) => a - b);
  console.log(`| ${name} | ${sorted[0].toFixed(1)} | ${median(sorted).toFixed(1)} |`);
});
// resolveSteps 3 is resolveBatch's work without its warming passes: the same-run reference
for (const name of Object.keys(sets)) {
  const index = (label: string) => rows.findIndex(([n]) => n === `${name}: ${label}`);
  const batch = samples[index('resolveBatch')];
  const plain = samples[index(STEPS[2])];
  console.log(`${name}: resolveBatch ÷ resolveSteps 3, median of per-run ratios ${median(batch.map((b, r) => b / plain[r])).toFixed(3)}`);
}
await graph.close();
