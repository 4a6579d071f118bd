import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonaGraph } from './host/index.js';
import { Traffic, identifiersOf } from './bench/soak/traffic.js';
import { canonicalGraph, canonicalPersona } from './test/reliability/canonical.js';

const SEED = 0x5eed_c4a5;
const TENANTS = (process.argv[3] ?? 'crash-a').split(',');
const NB = Number(process.argv[2] ?? 300);
const SHARDS = Number(process.argv[4] ?? 1);
const batches = TENANTS.map((t, i) => { const tr = new Traffic(SEED + i, t, 400); return Array.from({ length: NB }, () => tr.batch(20)); });

async function views(g: PersonaGraph) {
  const out: Record<string, unknown> = {};
  for (const [i, t] of TENANTS.entries()) {
    const ids = identifiersOf(batches[i].flat());
    const ps = await g.resolve(t, ids);
    out[t + ':resolve'] = ps;
    for (const id of new Set(ps as string[])) {
      out[t + id + 'p'] = canonicalPersona((await g.persona(t, id))!);
      out[t + id + 'g'] = canonicalGraph((await g.graph(t, id))!);
    }
  }
  return out;
}
function diff(a: Record<string, unknown>, b: Record<string, unknown>, label: string) {
  let n = 0;
  for (const k of Object.keys(a)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) { if (n++ < 1 && k.endsWith("g")) console.log(k, JSON.stringify(a[k], null, 1).slice(0, 3000), "\nVS", JSON.stringify(b[k], null, 1).slice(0, 3000)); }
  console.log(label, 'differences:', n, 'of', Object.keys(a).length);
}
const dir = mkdtempSync(join(tmpdir(), 'diag-'));
const c = await PersonaGraph.open({ dataDir: dir, shards: SHARDS, snapshotIntervalMs: 0 });
for (let k = 0; k < NB; k++) for (const [i, t] of TENANTS.entries()) await c.ingest(t, { events: batches[i][k] });
const live = await views(c);
await c.close();
const s = await PersonaGraph.open({ dataDir: dir });
diff(live, await views(s), 'snapshot-restore'); await s.close();
rmSync(join(dir, 'snapshots'), { recursive: true });
const d = await PersonaGraph.open({ dataDir: dir });
diff(live, await views(d), 'log-only'); await d.close();
rmSync(dir, { recursive: true });
