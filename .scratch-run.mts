import { spawn } from 'node:child_process';
import { readFileSync, openSync } from 'node:fs';
import autocannon from 'autocannon';
function cpu(pid: number) { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 1e4; }
for (const [name, env, path] of [
  ['full resolve', {}, '/v1/tenants/shop-a/resolve?email=person.5%40shop-mail.bg'],
  ['no log', { LOG: 'off' }, '/v1/tenants/shop-a/resolve?email=person.5%40shop-mail.bg'],
  ['no metrics', { METRICS: 'off' }, '/v1/tenants/shop-a/resolve?email=person.5%40shop-mail.bg'],
  ['neither', { LOG: 'off', METRICS: 'off' }, '/v1/tenants/shop-a/resolve?email=person.5%40shop-mail.bg'],
  ['full healthz', {}, '/healthz'],
  ['neither healthz', { LOG: 'off', METRICS: 'off' }, '/healthz'],
  ['full customer', {}, '/v1/tenants/shop-a/resolve?customer=cust-5'],
] as [string, Record<string, string>, string][]) {
  const log = openSync('/tmp/scratch.log', 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', '.scratch-target.mts'], { stdio: ['ignore', log, log, 'ipc'], env: { ...process.env, ...env } });
  const t = await new Promise<any>((r) => child.once('message', r));
  const req = { url: t.url, connections: 50, requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${t.key}` } }] };
  await autocannon({ ...req, duration: 2 });
  const c0 = cpu(child.pid!);
  const r = await autocannon({ ...req, duration: 5 });
  const us = (cpu(child.pid!) - c0) / r['2xx'];
  console.log(name.padEnd(16), Math.round(r['2xx'] / r.duration), 'req/s', us.toFixed(0), 'µs/req', r.non2xx);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
