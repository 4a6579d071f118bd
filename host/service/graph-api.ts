// What the HTTP layer needs from a graph: the public surface both the embedded PersonaGraph and
// the cluster node (ClusterGraph) offer, so either can be served.
//
// Read-your-writes: a write's answer carries `seq`, the log position of its entry (ingest today);
// a read given `{ minSeq }` answers only once the tenant's data includes that position. The
// embedded graph applies every write before answering it, so it satisfies any `minSeq` it handed
// out and may ignore the option; a cluster node waits for (or reads up to) that log position.
import type { PersonaGraph } from './persona-graph.js';
import type { Identifier } from '../types.js';

export interface ReadOptions {
  /** Answer only from a state that includes this log position (a `seq` a write returned). */
  minSeq?: number;
}

type Facade = Pick<PersonaGraph,
  | 'keys' | 'config' | 'configure' | 'ingest' | 'claim' | 'composeDevice' | 'deviceIdFor' | 'split' | 'changes'
  | 'erase' | 'deletePersona' | 'overloaded' | 'admitWrite' | 'writerRestarts' | 'snapshot' | 'close'>;

export interface GraphApi extends Facade {
  resolve(tenant: string, identifiers: Identifier[], options?: ReadOptions): ReturnType<PersonaGraph['resolve']>;
  personaOf(tenant: string, identifier: Identifier, options?: ReadOptions): ReturnType<PersonaGraph['personaOf']>;
  persona(tenant: string, id: string, options?: ReadOptions): ReturnType<PersonaGraph['persona']>;
  /** `JSON.stringify` of `personaOf`'s answer, kept ready by the graph; a graph without it is asked `personaOf`. */
  personaJsonOf?(tenant: string, identifier: Identifier, options?: ReadOptions): ReturnType<PersonaGraph['personaJsonOf']>;
  dedupe(tenant: string, request: unknown, options?: ReadOptions): ReturnType<PersonaGraph['dedupe']>;
  graph(tenant: string, id: string, options?: ReadOptions): ReturnType<PersonaGraph['graph']>;
  stats(tenant: string, options?: ReadOptions): ReturnType<PersonaGraph['stats']>;
  quality(tenant: string, options?: ReadOptions): ReturnType<PersonaGraph['quality']>;
  /** A cluster node may need the cluster (a first link secret) before it can sign: then a promise. */
  createLink(tenant: string, request: unknown): ReturnType<PersonaGraph['createLink']> | Promise<ReturnType<PersonaGraph['createLink']>>;
  rotateLinkSecret(tenant: string): void | Promise<void>;
  /** Shard memory and writer timings, where the graph has shards of its own. */
  operations?(): ReturnType<PersonaGraph['operations']>;
}
