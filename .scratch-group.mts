import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const group = (url: string, fn: string): string | null => {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (/host\/http\/wire\//.test(url)) return 'http: wire decoder (body parse)';
  if (/host\/http\//.test(url)) return 'http: persona-graph layer';
  if (/node_modules\/(koa|@koa|delegates|koa-compose|on-finished|ee-first|mime-types|statuses|vary|http-errors|depd|only|encodeurl|content-type|type-is|media-typer|fresh|accepts|cookies|parseurl)/.test(url)) return 'http: koa + router';
  if (/node_modules\/(pino|sonic-boom|fast-redact|quick-format|atomic-sleep|on-exit|thread-stream|safe-stable)/.test(url)) return 'http: pino';
  if (/node_modules\/(prom-client|tdigest|bintrees)/.test(url)) return 'http: prom-client';
  if (/host\/(service|engine|identity|store)\//.test(url) || /^wasm|^[0-9a-f]{8}$/.test(url)) return 'facade + engine';
  if (/node_modules\/(piscina|libphonenumber)/.test(url)) return 'facade + engine';
  if (url === '' ) return null; // native: attribute to caller
  return 'node core (http, net, streams)';
};
const totals = new Map<string, number>();
for (const [id, us] of self) {
  let node: any = byId.get(id); let g = group(node.callFrame.url, node.callFrame.functionName);
  while (g === null && parent.has(node.id)) { node = byId.get(parent.get(node.id)!); g = group(node.callFrame.url, node.callFrame.functionName); }
  const key = g ?? 'native (top)';
  totals.set(key, (totals.get(key) ?? 0) + us);
}
const total = [...totals.values()].reduce((a, b) => a + b, 0);
const reqs = Number(process.argv[3]);
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1])) console.log(k.padEnd(36), ((100 * v) / total).toFixed(1).padStart(5) + '%', reqs ? (v / reqs).toFixed(1) + ' µs/req' : '');
