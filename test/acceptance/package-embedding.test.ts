// The package as npm publishes it (api-contract "Library API"): `npm pack`'s tarball, unpacked on its
// own, imported by name from a worker_threads Worker, with nothing else from this checkout but the
// dependencies an install would bring. Catches files the runtime needs that the tarball leaves out.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'pg-package-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
import { PersonaGraph } from 'persona-graph';
const graph = await PersonaGraph.open(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
const ingested = await graph.ingest('shop-a', [
  { type: 'identify', identifiers: { email: 'Ana@Shop.bg', phone: '0888 123 456', customer: 'c-1' } },
]);
const personas = await graph.resolve('shop-a', [
  { type: 'phone', value: '+359888123456' }, { type: 'email', value: 'nobody@shop.bg' },
]);
await graph.close();
parentPort.postMessage({ ingested, personas });
`;

const MAIN = `
import { Worker } from 'node:worker_threads';
const [dataDir] = process.argv.slice(2);
const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { dataDir } });
worker.once('message', (result) => console.log(JSON.stringify(result)));
worker.once('error', (error) => { console.error(error); process.exitCode = 1; });
`;

/** Checkout paths a pack must not see: build output, local state and what an install brings. */
const NOT_COPIED = new Set(['node_modules', 'dist', 'data', '.git', '.bench-tmp']);

/**
 * Packs the package the way \`npm publish\` would, from a copy of the checkout built on its own
 * (so other tests reading this checkout's dist/ never see it half written); returns the tarball
 * and its file list.
 */
function packInto(dir: string): { tarball: string; files: string[] } {
  const staged = join(dir, 'staged');
  cpSync(ROOT, staged, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(ROOT, source).split(sep)[0]) });
  symlinkSync(join(ROOT, 'node_modules'), join(staged, 'node_modules'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: staged });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: staged, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dir, packed.filename), files: packed.files.map((file) => file.path) };
}

describe('the published package', () => {
  it('runs PersonaGraph from a worker_threads Worker with nothing but the unpacked tarball', () => {
    const { tarball, files } = packInto(scratch);
    expect(files).toEqual(expect.arrayContaining(['build/core.wasm', 'dist/host/index.js', 'host/http/static/t.js']));

    const app = join(scratch, 'app');
    const installed = join(app, 'node_modules/persona-graph');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    // The dependencies an install would bring, and nothing else from the checkout.
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
    writeFileSync(join(app, 'worker.mjs'), WORKER);
    writeFileSync(join(app, 'main.mjs'), MAIN);

    for (const dataDir of [[], [join(scratch, 'data')]]) {
      const run = spawnSync(process.execPath, [join(app, 'main.mjs'), ...dataDir], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout) as { ingested: { accepted: number }; personas: (string | null)[] };
      expect(result.ingested.accepted).toBe(1);
      expect(result.personas).toEqual([expect.stringMatching(/^psn_/), null]);
    }
  }, 240_000);
});
