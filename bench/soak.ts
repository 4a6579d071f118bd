// Soak run: `persona-graph serve` in a child process on 127.0.0.1, first driven flat out for a
// short while to measure its capacity under the mixed workload, then held at half of that for
// --minutes, printing throughput, latency, the server's RSS and its disk use every 30 s. At the
// end: is RSS flat after the warm-up? Exit code 1 if not, or if any request failed.
//   npx tsx bench/soak.ts [--minutes 10] [--capacity-seconds 15] [--report-seconds 30] [--connections 32] [--seed 1]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadClient } from './soak/http-client.js';
import { Workload, type Done } from './soak/mix.js';
import { spawnCliServer, type ServerProcess } from './soak/server-process.js';
import { judgeFlatness, Window, type RssSample } from './soak/stats.js';

const TENANTS = ['soak-a', 'soak-b', 'soak-c', 'soak-d'];
const POPULATION = 2000;
const PRELOAD_BATCHES = 100;
/** Share of the measured capacity the soak runs at. */
const LOAD_SHARE = 0.5;
/** Warm-up: this share of the run, at most WARM_UP_MAX_SECONDS; RSS must be flat after it. */
const WARM_UP_SHARE = 0.3;
const WARM_UP_MAX_SECONDS = 180;
/** RSS may grow this much (share of the RSS at the end of the warm-up) and still count as flat. */
const ALLOWED_RSS_GROWTH = 0.1;
const RSS_SAMPLE_SECONDS = 5;
/** Requests the scheduler lets be in flight per connection before it sheds (and counts) the rest. */
const IN_FLIGHT_PER_CONNECTION = 4;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'capacity-seconds': { type: 'string', default: '15' },
    'report-seconds': { type: 'string', default: '30' },
    connections: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});
const minutes = positive('minutes');
const capacitySeconds = positive('capacity-seconds');
const reportSeconds = positive('report-seconds');
const connections = Math.round(positive('connections'));
const seed = Math.round(positive('seed'));

function positive(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive number, got ${values[name]}\n`);
    process.exit(2);
  }
  return value;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

function diskBytes(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + diskBytes(join(path, entry)), 0);
}

/** Closed loop: `connections` workers, each sending the next operation as soon as the last is answered. */
async function measureCapacity(workload: Workload, seconds: number): Promise<number> {
  const window = new Window();
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) window.record(await workload.next());
  }));
  const { seconds: took, total, failures, lines } = window.close();
  const capacity = total / took;
  console.log(`capacity: ${capacity.toFixed(0)} operations/s with ${connections} connections flat out over ${took.toFixed(0)} s (${failures} failed)`);
  for (const line of lines) console.log(`  ${line}`);
  return capacity;
}

/** Open loop at `rate` operations/s for `seconds`, reporting every `reportSeconds`; returns the RSS samples and failures. */
async function soak(workload: Workload, server: ServerProcess, dataDir: string, rate: number, seconds: number): Promise<{ rss: RssSample[]; failures: number }> {
  const window = new Window();
  const rss: RssSample[] = [];
  const maxInFlight = connections * IN_FLIGHT_PER_CONNECTION;
  const started = performance.now();
  const end = started + seconds * 1000;
  const interval = 1000 / rate;
  let nextSend = started;
  let nextReport = started + reportSeconds * 1000;
  let nextSample = started;
  let inFlight = 0;
  let shed = 0;
  let failures = 0;
  const record = (done: Done) => {
    inFlight--;
    window.record(done);
  };
  const report = (now: number) => {
    const figures = window.close();
    failures += figures.failures;
    console.log(`[${clock((now - started) / 1000)}] ${(figures.total / figures.seconds).toFixed(1)} operations/s (target ${rate.toFixed(0)}), ` +
      `server RSS ${mb(server.rssBytes())}, disk ${mb(diskBytes(dataDir))}${shed ? `, ${shed} shed by the client (${maxInFlight} in flight)` : ''}`);
    for (const line of figures.lines) console.log(`    ${line}`);
    shed = 0;
  };
  for (let now = started; now < end; now = performance.now()) {
    while (nextSend <= now) {
      if (inFlight < maxInFlight) {
        inFlight++;
        void workload.next().then(record);
      } else {
        shed++;
      }
      nextSend += interval;
    }
    if (now >= nextSample) {
      rss.push({ at: (now - started) / 1000, bytes: server.rssBytes() });
      nextSample += RSS_SAMPLE_SECONDS * 1000;
    }
    if (now >= nextReport) {
      report(now);
      nextReport += reportSeconds * 1000;
    }
    await sleep(Math.max(1, Math.min(nextSend, nextReport, nextSample) - performance.now()));
  }
  while (inFlight > 0) await sleep(10);
  if (nextReport - reportSeconds * 1000 < end - 1000) report(performance.now()); // the last, partial window
  rss.push({ at: (performance.now() - started) / 1000, bytes: server.rssBytes() });
  return { rss, failures };
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pg-soak-'));
  const server = await spawnCliServer(dataDir);
  const client = new LoadClient(server.url, connections);
  try {
    console.log(`soak: persona-graph serve (pid ${server.pid}) at ${server.url}, data ${dataDir}, started in ${server.startupMs} ms`);
    const workload = new Workload(seed, TENANTS, POPULATION, client);
    await workload.preload(PRELOAD_BATCHES);
    console.log(`preloaded ${TENANTS.length} tenants × ${PRELOAD_BATCHES} batches; server RSS ${mb(server.rssBytes())}`);
    const capacity = await measureCapacity(workload, capacitySeconds);
    const rate = capacity * LOAD_SHARE;
    const seconds = minutes * 60;
    console.log(`soak: ${rate.toFixed(0)} operations/s (${LOAD_SHARE * 100}% of capacity) for ${minutes} min, report every ${reportSeconds} s`);
    const { rss, failures } = await soak(workload, server, dataDir, rate, seconds);

    const warmUp = Math.min(WARM_UP_MAX_SECONDS, seconds * WARM_UP_SHARE);
    const verdict = judgeFlatness(rss, warmUp, seconds, Math.min(reportSeconds, warmUp), ALLOWED_RSS_GROWTH);
    console.log(`RSS after the ${clock(warmUp)} warm-up ${mb(verdict.atWarmUpBytes)}, at the end ${mb(verdict.atEndBytes)}: ` +
      `${verdict.growthBytes >= 0 ? '+' : ''}${mb(verdict.growthBytes)} (limit +${mb(verdict.limitBytes)}), slope ${mb(verdict.slopePerMinute)}/min after the warm-up`);
    console.log(`verdict: RSS ${verdict.flat ? 'FLAT' : 'GROWING'} after warm-up; ${failures} failed requests; disk ${mb(diskBytes(dataDir))}`);
    return verdict.flat && failures === 0 ? 0 : 1;
  } finally {
    client.close();
    const code = await server.stop();
    if (code !== 0) console.log(`server exited with ${code}: ${server.recentOutput()}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
