import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../host/store/index.js';
import { makeTempDir, spawnFixture, watchLines } from './helpers.js';

const PERSONAS = 3_000;

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

it('hands each persona to exactly one of two processes claiming at the same time', async () => {
  openStore(temp.dir).close(); // create the schema up front, so both contenders start on equal terms
  const contenders = ['up', 'down'].map((order) => {
    const child = spawnFixture('claim-race.ts', [temp.dir, String(PERSONAS), order]);
    const lines: string[] = [];
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const done = watchLines(child, (line) => (line === 'ready' ? markReady() : lines.push(line)));
    return { child, lines, ready, done };
  });
  await Promise.all(contenders.map((c) => c.ready));
  for (const { child } of contenders) child.stdin!.write('go\n');
  const results = await Promise.all(contenders.map((c) => c.done));

  results.forEach(({ code, stderr }) => expect(code, stderr).toBe(0));
  const [up, down] = contenders.map((c) => JSON.parse(c.lines[0]) as number[]);
  const overlap = up.filter((n) => new Set(down).has(n));
  expect(overlap).toEqual([]);
  expect([...up, ...down].sort((a, b) => a - b)).toEqual(Array.from({ length: PERSONAS }, (_, i) => i));
  // Both really contended: each won some personas.
  expect(up.length).toBeGreaterThan(0);
  expect(down.length).toBeGreaterThan(0);
});
