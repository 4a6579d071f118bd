// npx tsx bench/ingest/profile-summary.ts FILE.cpuprofile [--top N] — self time per function
// (name, file:line) of a V8 CPU profile, largest first, as a share of the profile's samples.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(host|bench|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
    const micros = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + micros);
    total += micros;
  });
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
}
