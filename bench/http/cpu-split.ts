// Where a server's main thread spent its CPU, per request, split by layer. A V8 CPU profile
// sample belongs to the facade when any frame of its stack is facade code (host/service, engine,
// store, identity, the WASM core, piscina); otherwise to the HTTP layer (node:http, Koa, the
// router, pino, prom-client, host/http). GC and V8's own work cannot be attributed: listed apart;
// the profiler's own work (the inspector session) is left out.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface CpuSplit {
  /** µs per request. */
  http: number;
  facade: number;
  /** Garbage collection and V8 internals ("(program)"): paid by both layers. */
  unattributed: number;
  /** Sampled wall time the thread was idle, µs per request. */
  idle: number;
}

const FACADE_CODE = /host\/(service|engine|store|identity)\/|node_modules\/piscina\/|^wasm:/;
const PROFILER_CODE = /^node:inspector|bench\/http\/profiler\.ts/;
const UNATTRIBUTED = new Set(['(garbage collector)', '(program)']);

type Layer = 'http' | 'facade' | 'unattributed' | 'idle' | 'profiler';

/** The layer of every node of the profile's call tree (a node's stack is its path from the root). */
function layers(profile: Profile): Map<number, Layer> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const layerOf = new Map<number, Layer>();
  const visit = (id: number, above: Layer | undefined) => {
    const { callFrame, children = [] } = byId.get(id)!;
    const { functionName, url } = callFrame;
    const layer: Layer = above === 'profiler' || PROFILER_CODE.test(url) ? 'profiler'
      : above === 'facade' || FACADE_CODE.test(url) || functionName.startsWith('wasm-function') ? 'facade'
        : functionName === '(idle)' ? 'idle' : UNATTRIBUTED.has(functionName) ? 'unattributed' : 'http';
    layerOf.set(id, layer);
    for (const child of children) visit(child, layer);
  };
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  for (const node of profile.nodes) if (!childIds.has(node.id)) visit(node.id, undefined);
  return layerOf;
}

/** The CPU split of a profile file that covers `requests` answered requests. */
export function cpuSplit(profileFile: string, requests: number): CpuSplit {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
  const layerOf = layers(profile);
  const micros: Record<Layer, number> = { http: 0, facade: 0, unattributed: 0, idle: 0, profiler: 0 };
  profile.samples.forEach((id, i) => { micros[layerOf.get(id) ?? 'http'] += profile.timeDeltas[i] ?? 0; });
  const per = Math.max(requests, 1);
  return { http: micros.http / per, facade: micros.facade / per, unattributed: micros.unattributed / per, idle: micros.idle / per };
}
