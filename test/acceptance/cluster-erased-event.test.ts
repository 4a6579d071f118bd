// README "Cluster mode": same HTTP API, same answers. An event carrying a value erased earlier is
// reported per item as `erased_value` by the embedded mode; a cluster node answered it with no
// errors. Both modes must answer the same batch the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/service/persona-graph.js';
import type { ClusterGraph } from '../../host/service/cluster/cluster-graph.js';
import { startSingleServer, stopAll, type NatsServer } from '../cluster-store/nats-servers.js';
import { openNode, settled } from '../cluster/helpers.js';

const TENANT = 'shop-erased';
let server: NatsServer;
let node: ClusterGraph;
let embedded: PersonaGraph;

beforeAll(async () => {
  server = await startSingleServer('acceptance-cluster-erased');
  node = await openNode([server], 'erased-1');
  embedded = await PersonaGraph.open({ shards: 1 });
  await settled([node]);
}, 60_000);
afterAll(async () => {
  await node?.close();
  await embedded?.close();
  await stopAll(server ? [server] : []);
});

describe('an event carrying erased values, in cluster mode', () => {
  it('is answered as the embedded mode answers it: erased_value per dropped value', async () => {
    const answers = [];
    for (const graph of [embedded, node] as PersonaGraph[]) {
      await graph.ingest(TENANT, [{ identifiers: { customer: 'gone-1', email: 'gone@b.bg' } }]);
      await graph.erase(TENANT, [{ type: 'customer', value: 'gone-1' }, { type: 'email', value: 'gone@b.bg' }]);
      const answer = await graph.ingest(TENANT, {
        events: [{ identifiers: { customer: 'kept-1' } }, { identifiers: { customer: 'gone-1' } }, { identifiers: { email: 'GONE@b.bg', customer: 'kept-2' } }],
      });
      answers.push({ accepted: answer.accepted, duplicates: answer.duplicates, errors: answer.errors });
    }
    expect(answers[0].errors.map((e) => [e.index, e.field, e.error.code])).toEqual([
      [1, 'identifiers.customer', 'erased_value'],
      [2, 'identifiers.email', 'erased_value'],
    ]);
    expect(answers[1]).toEqual(answers[0]);
  }, 60_000);
});
