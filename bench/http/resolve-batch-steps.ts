// npx tsx bench/http/resolve-batch-steps.ts [--runs 40]
// Where a POST /resolve of the benchmark's 10,000 lookups spends its CPU, step by step, in one process:
// the body's decoding (UTF-8 check, decode, depth scan, JSON.parse: the generic path; the lookup list
// reader POST /resolve takes its plain bodies with), the schema check, the facade's
// three steps (engine keys, the shard's encode + WASM probe, persona ids) and the answer's encoding.
// Each step is timed on the same inputs `runs` times, steps interleaved; min and median per request.
import { isUtf8 } from 'node:buffer';
import { parseArgs } from 'node:util';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { exceedsJsonDepth } from '../../host/http/wire/json-depth.js';
import { decodeWireBody } from '../../host/http/wire/index.js';
import { lookupListDecoder } from '../../host/http/lookup-list-body.js';
import { ResolveBody } from '../../host/http/schemas.js';
import { engineKeysOf, type LookupKey } from '../../host/service/lookup-keys.js';
import type { Shard } from '../../host/engine/shard.js';
import { encodeKeys } from '../../host/engine/codec.js';
import type { Identifier } from '../../host/types.js';
import { seededGraph } from './graphs.js';
import { RESOLVE_TENANT, resolveBatchBody } from './workload.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '40' } } });
const RUNS = Number(values.runs);
const NO_KEY = { type: 0xff, value: '' }; // what the facade sends for a lookup that cannot be normalized

const body = Buffer.from(resolveBatchBody());
const graph = await seededGraph();
const text = body.toString('utf8');
const identifiers = (JSON.parse(text) as { identifiers: Identifier[] }).identifiers;
const check = TypeCompiler.Compile(ResolveBody);
const readLookupList = lookupListDecoder('identifiers');
const config = graph.config(RESOLVE_TENANT);
const engineKeys = (): LookupKey['engine'][] => engineKeysOf(identifiers, config).map((key) => key ?? NO_KEY);
const keys = engineKeys();
// the reader the facade's resolve uses (internal: reached past TypeScript's `private`)
const shards = (graph as unknown as { shards: { readers: Shard[]; shardOf(tenant: string): number } }).shards;
const shard = shards.readers[shards.shardOf(RESOLVE_TENANT)];
const tenantIndex = shard.tenant(RESOLVE_TENANT);
const records = shard.resolveRecords(tenantIndex, keys);
// resolveRecords' two halves, as it runs them: the keys encoded into the reader's slot, chunk by
// chunk, and the core's probe of each chunk (internals again)
const slotShard = shard as unknown as { bytes: Buffer; slotAddress(): number; constants: { READER_SLOT_BYTES: number }; core: { resolveBatch(t: number, at: number, count: number, out: number): number } };
const chunks: { start: number; count: number }[] = [];
const half = slotShard.constants.READER_SLOT_BYTES / 2;
const encodeAll = (): void => {
  chunks.length = 0;
  for (let start = 0; start < keys.length;) {
    const { count } = encodeKeys(slotShard.bytes, slotShard.slotAddress(), half, keys, start, half / 4);
    chunks.push({ start, count });
    start += count;
  }
};
const probeAll = (): void => {
  // each chunk is probed after encoding it again, so the probe's share is this step minus the one before
  for (const { start } of chunks) {
    const slot = slotShard.slotAddress();
    const { count } = encodeKeys(slotShard.bytes, slot, half, keys, start, half / 4);
    slotShard.core.resolveBatch(tenantIndex, slot, count, slot + half);
  }
};
const ids = await graph.resolve(RESOLVE_TENANT, identifiers);
const answer = JSON.stringify({ personas: ids });

const steps: [string, () => unknown][] = [
  ['UTF-8 check', () => isUtf8(body)],
  ['decode to a string', () => body.toString('utf8')],
  ['depth scan', () => exceedsJsonDepth(body, 64)],
  ['JSON.parse', () => JSON.parse(text)],
  ['= body decoding (decodeWireBody)', () => decodeWireBody(body, {})],
  ['body read by the lookup list reader (what POST /resolve runs)', () => readLookupList(body)],
  ['schema check', () => check.Check({ identifiers })],
  ['engine keys (normalization, memoized for emails and phones)', engineKeys],
  ['shard.resolveRecords (key encoding + WASM probe)', () => shard.resolveRecords(tenantIndex, keys)],
  ['  of which: key encoding into the reader slot', encodeAll],
  ['  key encoding + WASM probe, chunk by chunk (probe = this − the line above)', probeAll],
  ['persona ids of the records', () => Array.from(records, (record) => (record === 0 ? null : shard.personaId(record)))],
  ['= graph.resolve', () => graph.resolve(RESOLVE_TENANT, identifiers)],
  ['JSON.stringify of the answer', () => JSON.stringify({ personas: ids })],
  ['its UTF-8 encoding', () => Buffer.from(answer, 'utf8')],
];
const samples = steps.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) {
  for (const [i, [, step]] of steps.entries()) {
    const started = process.hrtime.bigint();
    await step();
    samples[i].push(Number(process.hrtime.bigint() - started) / 1e6);
  }
}
console.log(`POST /resolve body ${body.length} B (${identifiers.length} lookups), answer ${answer.length} B; ${RUNS} runs, load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log('| step | min ms | median ms |\n|---|---:|---:|');
steps.forEach(([name], i) => {
  const sorted = [...samples[i]].sort((a, b) => a - b);
  console.log(`| ${name} | ${sorted[0].toFixed(2)} | ${sorted[sorted.length >> 1].toFixed(2)} |`);
});
await graph.close();
