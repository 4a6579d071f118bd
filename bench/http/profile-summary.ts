// npx tsx bench/http/profile-summary.ts FILE.cpuprofile [--top 25] — where a V8 CPU profile
// (node --cpu-prof) spent its time: self time per function and per source file.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const at = url.search(/(host|bench|node_modules)\//);
  return at === -1 ? url.replace(/^.*\//, '') : url.slice(at);
}

function table(title: string, keyOf: (node: ProfileNode) => string) {
  const sums = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const key = keyOf(byId.get(id)!);
    sums.set(key, (sums.get(key) ?? 0) + micros);
  }
  console.log(`\n${title}`);
  for (const [key, micros] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

console.log(`${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled`);
table('self time by function', (n) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`);
table('self time by file', (n) => shortUrl(n.callFrame.url).replace(/(node_modules\/(@[^/]+\/)?[^/]+).*/, '$1'));
