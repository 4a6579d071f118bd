// persona-graph as a library: `import { PersonaGraph } from 'persona-graph'`.
export { PersonaGraph, checkTenant, type PersonaGraphOptions, type LinkRequest, type SplitRequest, type ChangesPage } from './service/persona-graph.js';
export { DEFAULT_CONFIG, type TenantConfig } from './service/config.js';
export type { PersonaGraphView, GraphNode, GraphEdge } from './service/views.js';
export type { Change } from './service/writer.js';
export * from './types.js';
