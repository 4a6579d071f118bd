// The quality summary behind the explorer's dashboard: a read-only view of one tenant's graph.
import { Type } from '@sinclair/typebox';
import type { GraphApi } from '../service/graph-api.js';
import { IDENTIFIER_TYPES } from '../types.js';
import { route, type RouteSpec } from './route.js';
import { IdentifierType, TenantParams } from './schemas.js';

const Count = Type.Integer({ minimum: 0 });
const CountsByType = Type.Object(Object.fromEntries(IDENTIFIER_TYPES.map((type) => [type, Count])));

export const QualityResponse = Type.Object({
  at: Type.String({ format: 'date-time', description: 'when the summary was read' }),
  stats: Type.Object({
    personas: Count, identifiers: Count, merges: Count, refused: Count, splits: Count, edges: Count, shared: Count,
  }, { description: 'the tenant\'s graph counters (merges, refused merges and splits since the graph began)' }),
  sizes: Type.Array(Type.Object({
    min: Count, max: Type.Union([Count, Type.Null()]), personas: Count,
  }), { description: 'personas by number of identifiers; max null: no upper bound' }),
  largest: Type.Array(Type.Object({ id: Type.String(), size: Count, counts: CountsByType }), { description: 'the largest personas, largest first' }),
  shared: Type.Integer({ minimum: 0, description: 'identifiers found to be shared between people' }),
  blocked: Type.Integer({ minimum: 0, description: 'blocked (junk) identifiers, kept as data but linking nothing' }),
  flagged: Type.Array(Type.Object({
    type: IdentifierType, value: Type.String(), shared: Type.Boolean(), blocked: Type.Boolean(),
    persona: Type.Union([Type.String(), Type.Null()]),
  }), { description: 'up to 100 shared or blocked identifiers, shared ones first' }),
});

export function qualityRoutes(graph: GraphApi): RouteSpec[] {
  return [
    route({
      method: 'GET', path: '/v1/tenants/{tenant}/quality', id: 'getQuality', tag: 'quality',
      summary: 'Persona size histogram, the largest personas, shared and blocked identifiers, graph counters',
      access: { kind: 'tenant', role: 'secret' }, params: TenantParams,
      response: QualityResponse,
      handle: ({ tenant }) => graph.quality(tenant),
    }),
  ];
}
