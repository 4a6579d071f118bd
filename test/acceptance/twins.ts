// A test server and an in-process library opened side by side, for tests that hold a library call and
// its HTTP twin to the same answers.
import { afterAll, beforeAll } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { startTestServer, type TestServer } from '../http/helpers.js';

export interface Twins {
  server: TestServer;
  graph: PersonaGraph;
}

/** Opens both before the file's tests and closes both after them; the fields are set once opened. */
export function openTwins(): Twins {
  const twins = {} as Twins;
  beforeAll(async () => {
    twins.server = await startTestServer();
    twins.graph = await PersonaGraph.open();
  });
  afterAll(async () => {
    await twins.server.shutdown();
    await twins.graph.close();
  });
  return twins;
}
