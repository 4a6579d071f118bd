// What the HTTP benchmarks serve: the seeded memory-only graph, one whose single-persona reads
// answer a canned persona at once (what the HTTP layer alone costs), and the Koa hello-world app
// GET /resolve is measured against.
import Koa from 'koa';
import Router from '@koa/router';
import { PersonaGraph } from '../../host/index.js';
import { RESOLVE_TENANT, SEED_PEOPLE, person, seedEvents } from './workload.js';

const SEED_BATCH = 5_000;

/** Memory only, holding the SEED_PEOPLE people of the workload. */
export async function seededGraph(): Promise<PersonaGraph> {
  const graph = await PersonaGraph.open({ dataDir: null, snapshotIntervalMs: 0 });
  for (let from = 0; from < SEED_PEOPLE; from += SEED_BATCH) {
    await graph.ingest(RESOLVE_TENANT, seedEvents(from, Math.min(SEED_PEOPLE, from + SEED_BATCH)));
  }
  return graph;
}

/** personaOf and personaJsonOf answer one canned persona at once; the rest of the facade (keys, config) stays real. */
export async function cannedPersonaGraph(): Promise<PersonaGraph> {
  const graph = await PersonaGraph.open({ dataDir: null, snapshotIntervalMs: 0 });
  await graph.ingest(RESOLVE_TENANT, seedEvents(0, 1));
  const canned = await graph.personaOf(RESOLVE_TENANT, { type: 'customer', value: person(0).customer });
  const cannedJson = JSON.stringify(canned);
  graph.personaOf = async () => canned;
  graph.personaJsonOf = async () => cannedJson;
  return graph;
}

/** Koa + @koa/router with one GET JSON route, `/hello`: the reference of GET /resolve. */
export function koaHelloApp(): Koa {
  const app = new Koa();
  const router = new Router();
  router.get('/hello', (ctx) => { ctx.body = { hello: 'world' }; });
  app.use(router.routes());
  return app;
}
