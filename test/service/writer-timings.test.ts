// Writer step timings: tallied by one thread into shared memory, read by another, and bucketed
// exactly as prom-client's own Histogram buckets the same observations.
import { Worker } from 'node:worker_threads';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { STEP_BUCKETS_SECONDS, WriterTimings } from '../../host/service/writer-timings.js';
import { mulberry32 } from '../../bench/seeded-random.js';

describe('WriterTimings', () => {
  it('buckets observations as prom-client does, per step', async () => {
    const random = mulberry32(7);
    const timings = new WriterTimings();
    const registry = new Registry();
    const reference = new Histogram({ name: 'ref_seconds', help: 'reference', buckets: STEP_BUCKETS_SECONDS, registers: [registry] });
    // bucket bounds themselves, and values on both sides of each
    const samples = [...STEP_BUCKETS_SECONDS, ...STEP_BUCKETS_SECONDS.map((b) => b * 1.0001), 0, 45,
      ...Array.from({ length: 2000 }, () => Math.exp(random() * 14 - 9))];
    for (const seconds of samples) {
      timings.observe('log_append', seconds);
      reference.observe(seconds);
    }
    const expected = (await reference.get()).values;
    const tally = timings.tally('log_append');
    expect(tally.count).toBe(expected.find((v) => v.metricName === 'ref_seconds_count')!.value);
    expect(tally.sum).toBeCloseTo(expected.find((v) => v.metricName === 'ref_seconds_sum')!.value, 9);
    let cumulative = 0;
    STEP_BUCKETS_SECONDS.forEach((bound, i) => {
      cumulative += tally.buckets[i];
      expect(cumulative).toBe(expected.find((v) => v.metricName === 'ref_seconds_bucket' && v.labels.le === bound)!.value);
    });
    expect(timings.tally('snapshot_write')).toEqual({ count: 0, sum: 0, buckets: new Array(STEP_BUCKETS_SECONDS.length + 1).fill(0) });
  });

  it('shows the main thread what a writer thread tallied', async () => {
    const timings = new WriterTimings();
    const moduleUrl = new URL('../../host/service/writer-timings.ts', import.meta.url).href;
    // vitest does not transform worker code: register tsx in the worker to load the TypeScript module
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); }).then(({ WriterTimings }) => {
        const writer = new WriterTimings(workerData);
        writer.observe('snapshot_write', 0.3);
        try { writer.time('log_append', () => { throw new Error('sync failed'); }); } catch {}
        parentPort.postMessage('done');
      });
    `;
    const worker = new Worker(source, { eval: true, workerData: timings.buffer });
    await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(timings.tally('snapshot_write')).toMatchObject({ count: 1, sum: 0.3 });
    expect(timings.tally('snapshot_write').buckets[STEP_BUCKETS_SECONDS.indexOf(0.5)]).toBe(1);
    // a step that threw was timed too
    expect(timings.tally('log_append').count).toBe(1);
  });
});
