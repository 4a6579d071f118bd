// What the HTTP layer needs from a graph: the public surface both the embedded PersonaGraph and
// the cluster node (ClusterGraph) offer, so either can be served.
import type { PersonaGraph } from './persona-graph.js';

export type GraphApi = Pick<PersonaGraph,
  | 'keys' | 'config' | 'configure' | 'ingest' | 'resolve' | 'personaOf' | 'persona' | 'dedupe' | 'claim'
  | 'composeDevice' | 'deviceIdFor' | 'createLink' | 'rotateLinkSecret' | 'graph' | 'split' | 'changes'
  | 'erase' | 'deletePersona' | 'stats' | 'quality' | 'overloaded' | 'admitWrite' | 'writerRestarts' | 'snapshot' | 'close'>;
