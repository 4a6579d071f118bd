import { startTarget } from '/work/main/bench/http/child.ts';
import autocannon from 'autocannon';
const kind = process.argv[2] as any;
const path = process.argv[3];
const t = await startTarget(kind, { logFile: '/tmp/prof-target.log', profileDir: '/tmp/pgprof2' });
const r = await autocannon({ url: t.url, connections: 50, duration: 8, requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${t.key}` } }] });
const cpuFile = '/proc/' + (t as any).pid + '/stat';
console.log(r['2xx'] / r.duration, r.non2xx, r.latency.p99);
await t.stop();
