import { startTarget } from './bench/http/child.ts';
import { resolvePaths } from './bench/http/workload.ts';
import autocannon from 'autocannon';
const t = await startTarget((process.argv[2] ?? 'persona') as any, { logFile: '/tmp/prof-target.log', profileDir: '/tmp/pgprof5' });
const r = await autocannon({ url: t.url, connections: 50, duration: 8, requests: (process.argv[2] === 'koa-hello' ? ['/hello'] : resolvePaths()).map((path) => ({ method: 'GET', path, headers: { authorization: `Bearer ${t.key}` } })) });
console.log(r['2xx'] / r.duration, r.non2xx, r.latency.p99);
await t.stop();
