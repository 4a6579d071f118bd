// A reader thread of the stress test: attaches to the writer's shard memory and reads continuously
// until told to stop, validating each read with the seqlock and checking what it saw against the
// workload's expectations. Reports counts and any violation to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { Shard } from '../../../host/engine/shard.js';
import { GROUP_SIZE, HALF, ROUNDS, expectedShape, groupKeys } from './stress-workload.js';

interface ReaderData {
  memory: WebAssembly.Memory;
  slot: number;
  control: Int32Array; // [0]: stop flag
  tenantName: string;
}

const { memory, slot, control, tenantName } = workerData as ReaderData;
const shard = Shard.attach(memory, slot);
const violations: string[] = [];
let validated = 0;
let retried = 0;
let grewSeen = 0;
let lastBytes = memory.buffer.byteLength;
let group = 1;

interface Observation {
  applied: number;
  records: number[];
  personas: { members: number; counts: number[]; ring: number }[];
}

function observe(g: number): Observation {
  const tenant = shard.tenant(tenantName);
  const applied = shard.appliedSeq();
  const records = tenant === 0 ? new Array<number>(GROUP_SIZE).fill(0) : Array.from(shard.resolveRecords(tenant, groupKeys(g)));
  const personas = [...new Set(records)].filter((r) => r !== 0).map((r) => {
    const p = shard.persona(r);
    return { members: p.members, counts: p.counts, ring: shard.members(p.root).length };
  });
  return { applied, records, personas };
}

function check(g: number, o: Observation): void {
  const fail = (what: string): void => {
    if (violations.length < 20) violations.push(`group ${g} at round ${o.applied}: ${what} ${JSON.stringify(o)}`);
  };
  const shape = expectedShape(g, o.applied);
  const first = o.records.slice(0, HALF);
  const second = o.records.slice(HALF);
  if (shape === 'unknown') {
    if (o.records.some((r) => r !== 0)) fail('identifiers of a later round already known');
    return;
  }
  if (o.records.some((r) => r === 0)) return fail('identifier of an applied round unknown');
  if (new Set(first).size !== 1 || new Set(second).size !== 1) return fail('an uncut half is in several personas');
  const joined = first[0] === second[0];
  if (shape === 'joined' && !joined) fail('split before its cut');
  if (shape === 'split' && joined) fail('still joined after its cut');
  for (const p of o.personas) {
    const sum = p.counts.reduce((a, b) => a + b, 0);
    if (sum !== p.members || p.ring !== p.members) fail(`counts ${sum} / ring ${p.ring} / members ${p.members} disagree`);
    if (p.members !== (joined ? GROUP_SIZE : HALF)) fail(`persona of ${p.members} members`);
  }
}

while (Atomics.load(control, 0) === 0) {
  // a group near the writer's round most of the time, any group (known or not yet) otherwise
  const applied = shard.readConsistent(() => shard.appliedSeq());
  group = Math.random() < 0.7 ? Math.max(1, applied - 2 + Math.floor(Math.random() * 5)) : 1 + Math.floor(Math.random() * ROUNDS);
  let attempts = 0;
  const observation = shard.readConsistent(() => {
    attempts++;
    return observe(group);
  });
  retried += attempts - 1;
  validated++;
  check(group, observation);
  if (memory.buffer.byteLength !== lastBytes) {
    grewSeen++;
    lastBytes = memory.buffer.byteLength;
  }
}
parentPort!.postMessage({ validated, retried, grewSeen, violations, finalBytes: memory.buffer.byteLength });
