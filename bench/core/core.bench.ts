// The WASM core on the union-find workload of bench/core/workload.ts (2M identifiers, 3M unions,
// 5M finds by default), measured the same way and in the same rounds as the references
// (run-references.ts), and checked to compute the same partition. Two ways into the core:
// - "batched": the product's path. intern = applyEvents with one identifier per event, union =
//   applyEvents with two per event (a union plus its evidence edge), find = resolveRecords by
//   value (hash lookup, then find), all in batches through byte buffers;
// - "in-core": union and find over node numbers already in memory (bench-only exports), i.e. the
//   union-find with its persona values, without encoding, hashing or evidence.
// Also reports the shard's bytes per identifier.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Shard, type EncodedEvent, type EncodedKey } from '../../host/engine/shard.js';
import type { ImplementationReport, PhaseRunner, Roots, UnionFindImplementation } from './measure.js';
import { report, type Figure } from '../figures.js';
import { C_PERSONAS_NAME, C_REFERENCE_NAME } from './c-reference.js';
import { formatReports, measureReferences } from './run-references.js';
import { componentStats } from './workload-stats.js';
import { FULL_SIZE, idCount, makeWorkload, unionCount, type Workload } from './workload.js';

const EMAIL = 0;
const TENANT = 'bench';
/** The HTTP contract's largest batch. */
const EVENTS_PER_BATCH = 10_000;
/** Keys per resolveRecords call. */
const KEYS_PER_READ = 10_000;
const UINT32_BYTES = 4;
const PAIR_BYTES = 8;
/**
 * Ops per call on the in-core path: V8 tiers a wasm function up to optimized code between calls,
 * never inside one, so one call over millions of ops would run entirely in baseline code.
 */
const OPS_PER_CALL = 65_536;

interface Prepared {
  keys: EncodedKey[];
  internBatches: EncodedEvent[][];
  unionBatches: EncodedEvent[][];
  findKeys: EncodedKey[][];
}

/** Strings and event objects are built once, untimed: the timed phases start from what a request hands over. */
function prepare(w: Workload): Prepared {
  const decoder = new TextDecoder();
  const keys = Array.from({ length: idCount(w) }, (_, i): EncodedKey => ({
    type: EMAIL, value: decoder.decode(w.keys.subarray(w.keyOffsets[i], w.keyOffsets[i + 1])),
  }));
  const batches = <T>(count: number, size: number, make: (i: number) => T): T[][] => {
    const out: T[][] = [];
    for (let start = 0; start < count; start += size) {
      out.push(Array.from({ length: Math.min(size, count - start) }, (_, k) => make(start + k)));
    }
    return out;
  };
  const eventOf = (ids: EncodedKey[], item: number): EncodedEvent => ({ tenant: 1, evidence: 'authenticated', item, time: item, identifiers: ids });
  return {
    keys,
    internBatches: batches(idCount(w), EVENTS_PER_BATCH, (i) => eventOf([keys[i]], i)),
    unionBatches: batches(unionCount(w), EVENTS_PER_BATCH, (i) => eventOf([keys[w.unionPairs[2 * i]], keys[w.unionPairs[2 * i + 1]]], i)),
    findKeys: batches(w.findIds.length, KEYS_PER_READ, (i) => keys[w.findIds[i]]),
  };
}

function newShard(): { shard: Shard; tenant: number } {
  const shard = Shard.create();
  const tenant = shard.registerTenant(TENANT);
  shard.configureTenant(tenant, { guardrails: false, limits: [], sharedAt: [] });
  return { shard, tenant };
}

function internAll(shard: Shard, p: Prepared): void {
  p.internBatches.forEach((batch, i) => shard.applyEvents(batch, i + 1));
}

/** The last shard a batched run built, for the memory figures. */
let lastBatchedShard: Shard | undefined;

function batchedCore(w: Workload, p: Prepared): UnionFindImplementation {
  return {
    name: 'WASM core, batched events',
    newRun(): PhaseRunner {
      const { shard, tenant } = newShard();
      lastBatchedShard = shard;
      return {
        intern: () => internAll(shard, p),
        union: () => p.unionBatches.forEach((batch, i) => shard.applyEvents(batch, p.internBatches.length + i + 1)),
        find: (): Roots => {
          const roots = new Uint32Array(w.findIds.length);
          let at = 0;
          for (const keys of p.findKeys) {
            roots.set(shard.resolveRecords(tenant, keys), at);
            at += keys.length;
          }
          return roots;
        },
      };
    },
  };
}

/** Node of workload id i: ids are interned in order into a fresh shard, so node = i + 1 (checked). */
function checkNodeNumbering(shard: Shard, tenant: number, p: Prepared): void {
  for (const i of [0, 1, p.keys.length >> 1, p.keys.length - 1]) {
    if (shard.lookupNode(tenant, p.keys[i]) !== i + 1) throw new Error(`workload id ${i} is not node ${i + 1}`);
  }
}

function inCoreUnionFind(w: Workload, p: Prepared): UnionFindImplementation {
  const pairBytes = new Uint8Array(unionCount(w) * PAIR_BYTES);
  const pairs = new Uint32Array(pairBytes.buffer);
  for (let i = 0; i < w.unionPairs.length; i++) pairs[i] = w.unionPairs[i] + 1;
  const finds = Uint32Array.from(w.findIds, (id) => id + 1);
  return {
    name: 'WASM core, in-core pairs',
    newRun(): PhaseRunner {
      const { shard, tenant } = newShard();
      const core = shard.coreExports();
      let buffer = 0;
      return {
        intern: () => {
          internAll(shard, p);
          checkNodeNumbering(shard, tenant, p);
          // room for the pairs (and later the finds), allocated here so union and find only copy
          buffer = core.writerInbox(Math.max(pairBytes.length, finds.length * UINT32_BYTES));
          if (buffer === 0) throw new Error('no room for the bench buffer');
        },
        union: () => {
          new Uint8Array(shard.memory.buffer).set(pairBytes, buffer);
          for (let start = 0; start < unionCount(w); start += OPS_PER_CALL) {
            core.benchUnitePairs(buffer + start * PAIR_BYTES, Math.min(OPS_PER_CALL, unionCount(w) - start));
          }
        },
        find: (): Roots => {
          new Uint32Array(shard.memory.buffer, buffer, finds.length).set(finds);
          for (let start = 0; start < finds.length; start += OPS_PER_CALL) {
            const at = buffer + start * UINT32_BYTES;
            core.benchFindRoots(at, Math.min(OPS_PER_CALL, finds.length - start), at);
          }
          // the roots stay where the core wrote them, as C's stay in its array: copying 4 bytes per find
          // out into a fresh array here took a third of this phase's time (page faults on new memory)
          return new Uint32Array(shard.memory.buffer, buffer, finds.length);
        },
      };
    },
  };
}

/** Bytes the shard takes per identifier, without the value bytes themselves, and where they go. */
function memoryReport(shard: Shard, w: Workload): string {
  const ids = idCount(w);
  const valueBytes = w.keys.length;
  const { used, structures: s } = shard.footprint();
  const { nodes, edges } = shard.counts();
  const perId = (bytes: number) => (bytes / ids).toFixed(1);
  const accounted = Object.values(s).reduce((a, b) => a + b, 0);
  const evidence = s.edges + s.edgeTable;
  const fixed = s.header + s.readerSlots + s.workBuffer + s.inbox + s.journal + s.freeList + s.tenants;
  const identifiers = used - evidence - s.arena - fixed;
  const line = (name: string, bytes: number, note = '') => `  ${name.padEnd(22)} ${perId(bytes).padStart(7)} B/id  ${(bytes / 2 ** 20).toFixed(1).padStart(7)} MiB${note}`;
  return [
    `shard after intern + union (batched path): ${(used / 2 ** 20).toFixed(1)} MiB used for ${nodes} identifiers, ` +
      `${edges} evidence edges, ${shard.tenantStats(shard.tenant(TENANT)).personas} active personas (no record of their own: named by their founder nodes)`,
    `bytes per identifier: ${perId(used)} in all, ${perId(used - valueBytes)} without the ` +
      `${perId(valueBytes)} value bytes (evidence edges included)`,
    'where they go (allocated bytes / identifiers):',
    line('node records', s.nodes, ` (${nodes} × ${(s.nodes / Math.max(nodes, 1)).toFixed(1)} B with page slack)`),
    line('parent column', s.parents, ` (${(s.parents / Math.max(nodes, 1)).toFixed(1)} B/node with doubling slack)`),
    line('values records', s.values, ' (personas of two or more members)'),
    line('created records', s.created, ' (createdAt of founders an earlier-timed event re-sighted)'),
    line('identifier table', s.identifierTable, ' (finds personas by id too)'),
    line('other (unlisted)', used - accounted),
    line('= identifier core', identifiers, ' (target ≤ 64 B/id)'),
    line('evidence edges', s.edges, ` (${edges} edges, ${(s.edges / Math.max(edges, 1)).toFixed(1)} B/edge with page slack)`),
    line('edge table', s.edgeTable, ` (${(s.edgeTable / Math.max(edges, 1)).toFixed(1)} B/edge)`),
    line('arena (value bytes)', s.arena),
    line('fixed and scratch', fixed, ' (header, page tables, reader slots, work buffer, inbox, journal, free list, tenants)'),
  ].join('\n');
}

export async function runCoreBench(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      iterations: { type: 'string', default: '3' },
      ids: { type: 'string', default: String(FULL_SIZE.ids) },
      unions: { type: 'string', default: String(FULL_SIZE.unions) },
      finds: { type: 'string', default: String(FULL_SIZE.finds) },
      seed: { type: 'string', default: '1' },
      'skip-naive': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const spec = { ids: Number(values.ids), unions: Number(values.unions), finds: Number(values.finds), seed: Number(values.seed) };
  const workload = makeWorkload(spec);
  const stats = componentStats(workload);
  console.log(
    `workload seed ${spec.seed}: ${idCount(workload)} ids (${(workload.keys.length / idCount(workload)).toFixed(1)} B/key), ` +
      `${unionCount(workload)} unions, ${workload.findIds.length} finds → ${stats.components} components`,
  );
  const prepared = prepare(workload);
  const iterations = Number(values.iterations);
  const reports = await measureReferences(workload, {
    iterations,
    skipNaive: values['skip-naive'],
    also: [batchedCore(workload, prepared), inCoreUnionFind(workload, prepared)],
  });
  console.log(`medians of ${iterations} interleaved rounds per phase; every implementation computed the same partition`);
  console.log('batched: intern = applyEvents (1 id/event, founds a persona each), union = applyEvents (2 ids/event: union + evidence edge),');
  console.log('         find = resolveRecords by value (UTF-8 encode + xxh64 + probe + find); in-core: unions/finds over node numbers in memory\n');
  console.log(formatReports(reports));
  if (lastBatchedShard) console.log(`\n${memoryReport(lastBatchedShard, workload)}`);
  report({
    bench: 'core',
    command: `npm run bench:core -- --ids ${spec.ids} --unions ${spec.unions} --finds ${spec.finds} --iterations ${iterations}${values['skip-naive'] ? ' --skip-naive' : ''}`,
    figures: coreFigures(reports),
    details: [formatReports(reports), lastBatchedShard ? memoryReport(lastBatchedShard, workload) : ''].join('\n\n'),
  });
}

/**
 * The targets: union and find of the core ≥ 0.8 × C and ≥ 1.5 × the typed-array TypeScript
 * version; also against C keeping the same persona records (the like-for-like comparison).
 */
function coreFigures(reports: ImplementationReport[]): Figure[] {
  const byName = (prefix: string) => reports.find((r) => r.name.startsWith(prefix));
  const c = reports.find((r) => r.name === C_REFERENCE_NAME);
  const cPersonas = reports.find((r) => r.name === C_PERSONAS_NAME);
  const typed = byName('TS typed');
  const core = byName('WASM core, in-core');
  if (!core) return [];
  const figures: Figure[] = [];
  for (const phase of ['union', 'find'] as const) {
    const ops = 1e9 / core.phases[phase].nsPerOp;
    if (c) {
      const ratio = c.phases[phase].nsPerOp / core.phases[phase].nsPerOp;
      figures.push({ name: `${phase} (WASM core, persona values maintained)`, value: ops, unit: 'ops/s', reference: { name: 'C gcc -O2', value: 1e9 / c.phases[phase].nsPerOp }, ratio, target: '≥ 0.8 × C', met: ratio >= 0.8 });
    }
    if (cPersonas) {
      const ratio = cPersonas.phases[phase].nsPerOp / core.phases[phase].nsPerOp;
      figures.push({ name: `${phase} (WASM core vs the same records in C)`, value: ops, unit: 'ops/s', reference: { name: C_PERSONAS_NAME, value: 1e9 / cPersonas.phases[phase].nsPerOp }, ratio, target: '≥ 0.8 × C', met: ratio >= 0.8 });
    }
    if (typed) {
      const ratio = typed.phases[phase].nsPerOp / core.phases[phase].nsPerOp;
      figures.push({ name: `${phase} (WASM core)`, value: ops, unit: 'ops/s', reference: { name: 'TypeScript typed arrays', value: 1e9 / typed.phases[phase].nsPerOp }, ratio, target: '≥ 1.5 × typed-array TS', met: ratio >= 1.5 });
    }
  }
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCoreBench().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  });
}
