// npx tsx bench/http/ab.ts [--base /work/main] [--pairs 3] [--seconds 5] [--only get|post]
// This checkout's server against another checkout's (A/B of a change, e.g. a branch vs main), over
// 127.0.0.1 with the benchmark's load: the two seeded `persona` targets run side by side, with Koa
// hello-world as the GET reference, and are loaded in alternation, ABBA by pair, so load from other
// processes hits both alike. Per pair: server CPU per request (the steadier figure on a shared
// machine) and throughput, and branch ÷ base of both.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Request } from 'autocannon';
import { startTarget, type RunningTarget } from './child.js';
import { measure, type LoadFigures } from './load.js';
import { LOOKUPS_PER_REQUEST, RESOLVE_TENANT, resolveBatchBody, resolvePaths } from './workload.js';

const { values } = parseArgs({
  options: { base: { type: 'string', default: '/work/main' }, pairs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' }, only: { type: 'string' } },
});
const PAIRS = Number(values.pairs);
const SECONDS = Number(values.seconds);
const GET_CONNECTIONS = 50;
const POST_CONNECTIONS = 4;
const work = mkdtempSync(join(tmpdir(), 'pg-http-ab-'));
const auth = (target: RunningTarget) => ({ authorization: `Bearer ${target.key}` });

const [base, branch, hello] = await Promise.all([
  startTarget('persona', { logFile: join(work, 'base.log'), checkout: values.base }),
  startTarget('persona', { logFile: join(work, 'branch.log') }),
  startTarget('koa-hello', { logFile: join(work, 'hello.log') }),
]);

interface Scenario { name: string; connections: number; items: number; requests: (target: RunningTarget) => Request[] }
const scenarios: Scenario[] = [];
if (values.only !== 'post') {
  scenarios.push({ name: 'GET /resolve', connections: GET_CONNECTIONS, items: 1, requests: (t) => resolvePaths().map((path) => ({ method: 'GET', path, headers: auth(t) })) });
}
if (values.only !== 'get') {
  const body = resolveBatchBody();
  scenarios.push({
    name: `POST /resolve ${LOOKUPS_PER_REQUEST} lookups`, connections: POST_CONNECTIONS, items: LOOKUPS_PER_REQUEST,
    requests: (t) => [{ method: 'POST', path: `/v1/tenants/${RESOLVE_TENANT}/resolve`, headers: { ...auth(t), 'content-type': 'application/json' }, body }],
  });
}

const run = (target: RunningTarget, s: Scenario, requests: Request[]): Promise<LoadFigures> =>
  measure({ url: target.url, pid: target.pid, connections: s.connections, seconds: SECONDS, itemsPerRequest: s.items, requests });
const f = (x: number, digits = 1) => x.toFixed(digits);

try {
  for (const s of scenarios) {
    console.log(`\n${s.name}, ${s.connections} conns, ${SECONDS} s per run; base ${values.base}`);
    const header = s.items === 1 ? '| pair (load) | base µs CPU/req | branch µs CPU/req | Koa hello µs CPU/req | branch ÷ base CPU | base ÷ Koa req/s | branch ÷ Koa req/s |'
      : '| pair (load) | base µs CPU/req | branch µs CPU/req | branch ÷ base CPU | base M lookups/s | branch M lookups/s |';
    console.log(`${header}\n|${header.split('|').slice(2).map(() => '---').join('|')}|`);
    for (let pair = 0; pair < PAIRS; pair++) {
      const load = loadavg()[0];
      const order: RunningTarget[] = pair % 2 === 0 ? [base, branch] : [branch, base];
      const figures = new Map<RunningTarget, LoadFigures>();
      for (const target of order) figures.set(target, await run(target, s, s.requests(target)));
      const a = figures.get(base)!;
      const b = figures.get(branch)!;
      if (s.items === 1) {
        const ref = await run(hello, s, [{ method: 'GET', path: '/hello' }]);
        console.log(`| ${pair + 1} (${f(load)}) | ${f(a.serverCpuMicrosPerRequest)} | ${f(b.serverCpuMicrosPerRequest)} | ${f(ref.serverCpuMicrosPerRequest)} | ${f(b.serverCpuMicrosPerRequest / a.serverCpuMicrosPerRequest, 3)} | ${f(a.requestsPerSecond / ref.requestsPerSecond, 3)} | ${f(b.requestsPerSecond / ref.requestsPerSecond, 3)} |`);
      } else {
        console.log(`| ${pair + 1} (${f(load)}) | ${f(a.serverCpuMicrosPerRequest, 0)} | ${f(b.serverCpuMicrosPerRequest, 0)} | ${f(b.serverCpuMicrosPerRequest / a.serverCpuMicrosPerRequest, 3)} | ${f(a.itemsPerSecond / 1e6, 3)} | ${f(b.itemsPerSecond / 1e6, 3)} |`);
      }
      if (a.failures + b.failures > 0) console.log(`  failures: base ${a.failures}, branch ${b.failures}`);
    }
  }
} finally {
  await Promise.all([base.stop(), branch.stop(), hello.stop()]);
  rmSync(work, { recursive: true, force: true });
}
