// The tenant's quality dashboard: counters, persona sizes, the largest personas, shared and
// blocked identifiers, changes over time, and how fast the graph grows; refreshed live.
import { h, fill, formatCount, formatClock } from './dom.js';
import { countChips, typeChip, personaLink } from './identifiers.js';
import { barChart, lineChart, setSeries } from './charts.js';
import { changesFeed, refreshLoop, REFRESH_MS } from './live.js';

/** Counter samples kept for the live charts (at one per refresh: five minutes). */
const MAX_SAMPLES = 60;
const MAX_TIME_BUCKETS = 48;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Changes over time are counted per minute over the last hours, per hour over days, else per day. */
const TIME_UNITS = [
  { ms: MINUTE_MS, upTo: 3 * HOUR_MS, name: 'minute' },
  { ms: HOUR_MS, upTo: 3 * DAY_MS, name: 'hour' },
  { ms: DAY_MS, upTo: Infinity, name: 'day' },
];
const MS_PER_SECOND = 1000;

const KPIS = [
  ['personas', 'Personas', (q) => q.stats.personas],
  ['identifiers', 'Identifiers', (q) => q.stats.identifiers],
  ['merges', 'Merges', (q) => q.stats.merges],
  ['refused', 'Refused merges', (q) => q.stats.refused],
  ['splits', 'Splits', (q) => q.stats.splits],
  ['shared', 'Shared identifiers', (q) => q.shared],
  ['blocked', 'Blocked identifiers', (q) => q.blocked],
];

function chartCard(title, id, note) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': title });
  const noteElement = h('p', { class: 'muted small' }, note ?? '');
  return { canvas, note: noteElement, card: h('section', { class: 'card chart-card' }, h('h2', {}, title), h('div', { class: 'chart-box' }, canvas), noteElement) };
}

export function renderDashboard(container, context) {
  const status = h('span', { class: 'muted small live' });
  const kpiValues = new Map(KPIS.map(([key]) => [key, h('span', { class: 'kpi-value', 'data-kpi': key }, '…')]));
  const sizes = chartCard('Persona sizes', 'chart-sizes', 'Personas by number of identifiers.');
  const changes = chartCard('Changes over time', 'chart-changes');
  const counters = chartCard('Merges, refused merges and splits', 'chart-counters', 'Totals, since this page was opened.');
  const growth = chartCard('Ingest rate', 'chart-growth', 'New identifiers and new evidence links per second, since this page was opened.');
  const largest = h('tbody');
  const flagged = h('tbody');
  const flaggedNote = h('p', { class: 'muted small' });

  container.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Quality dashboard'), status),
    h('section', { class: 'kpis' }, KPIS.map(([key, label]) => h('div', { class: 'card kpi' }, kpiValues.get(key), h('span', { class: 'kpi-label' }, label)))),
    h('div', { class: 'dash-grid' },
      sizes.card, changes.card, counters.card, growth.card,
      h('section', { class: 'card' }, h('h2', {}, 'Largest personas'),
        h('div', { class: 'table-scroll' }, h('table', { class: 'table', 'data-testid': 'largest' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Persona'), h('th', { class: 'num' }, 'Identifiers'), h('th', {}, 'By type'))), largest))),
      h('section', { class: 'card' }, h('h2', {}, 'Shared and blocked identifiers'), flaggedNote,
        h('div', { class: 'table-scroll' }, h('table', { class: 'table', 'data-testid': 'flagged' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Identifier'), h('th', {}, 'Found'), h('th', {}, 'Persona'))), flagged)))));

  const charts = {
    sizes: barChart(sizes.canvas, { legend: false }),
    changes: barChart(changes.canvas, { stacked: true }),
    counters: lineChart(counters.canvas),
    growth: lineChart(growth.canvas, { integer: false }),
  };
  context.onDispose(() => Object.values(charts).forEach((chart) => chart.destroy()));

  const feed = changesFeed(context.api);
  const samples = [];
  return refreshLoop(context, async () => {
    const [quality] = await Promise.all([context.api.quality(), feed.poll()]);
    if (!context.active()) return;
    samples.push({ at: Date.now(), stats: quality.stats });
    if (samples.length > MAX_SAMPLES) samples.shift();
    for (const [key, , value] of KPIS) kpiValues.get(key).textContent = formatCount(value(quality));
    drawSizes(charts.sizes, quality.sizes);
    changes.note.textContent = drawChanges(charts.changes, feed.changes, Date.now());
    drawCounters(charts.counters, samples);
    drawGrowth(charts.growth, samples);
    fill(largest, quality.largest.length === 0 ? emptyRow(3, 'No personas yet.') : quality.largest.map((p) => h('tr', {},
      h('td', {}, personaLink(p.id)), h('td', { class: 'num' }, formatCount(p.size)), h('td', {}, h('div', { class: 'chips' }, countChips(p.counts))))));
    const flaggedTotal = quality.shared + quality.blocked;
    flaggedNote.textContent = quality.flagged.length < flaggedTotal ? `Showing ${quality.flagged.length} of ${formatCount(flaggedTotal)}.` : '';
    fill(flagged, quality.flagged.length === 0 ? emptyRow(3, 'None found.') : quality.flagged.map((f) => h('tr', {},
      h('td', {}, typeChip(f.type), ' ', h('span', { class: 'mono' }, f.value)),
      h('td', {}, f.shared && h('span', { class: 'badge warn' }, 'shared'), f.blocked && h('span', { class: 'badge bad' }, 'blocked')),
      h('td', {}, f.persona ? personaLink(f.persona) : '—'))));
    status.textContent = `Updated ${formatClock(new Date(samples.at(-1).at))}; refreshes every ${REFRESH_MS / MS_PER_SECOND} s`;
  }, 'Refreshing the dashboard');
}

function emptyRow(columns, text) {
  return h('tr', {}, h('td', { colspan: columns, class: 'muted' }, text));
}

function bucketLabel({ min, max }) {
  if (max === min) return String(min);
  return max === null ? `${min}+` : `${min}–${max}`;
}

function drawSizes(chart, buckets) {
  setSeries(chart, buckets.map(bucketLabel), [{ key: 'personas', label: 'Personas', data: buckets.map((b) => b.personas) }]);
}

const pad = (n) => String(n).padStart(2, '0');
function timeLabel(ms, unit) {
  const d = new Date(ms);
  if (unit.name === 'day') return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (unit.name === 'hour') return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:00`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Merges, splits and erasures per time bucket, from the feed; returns a note naming the unit. */
function drawChanges(chart, changes, now) {
  const times = changes.map((c) => Date.parse(c.at)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) {
    setSeries(chart, [], []);
    return 'No merges, splits or erasures yet.';
  }
  const unit = TIME_UNITS.find((u) => now - Math.min(...times) <= u.upTo);
  const last = Math.floor(now / unit.ms);
  const first = Math.max(Math.floor(Math.min(...times) / unit.ms), last - MAX_TIME_BUCKETS + 1);
  const buckets = last - first + 1;
  const counts = { merge: new Array(buckets).fill(0), split: new Array(buckets).fill(0), erase: new Array(buckets).fill(0) };
  changes.forEach((change, i) => {
    const bucket = Math.floor(times[i] / unit.ms) - first;
    if (bucket >= 0 && bucket < buckets && counts[change.kind]) counts[change.kind][bucket]++;
  });
  const labels = Array.from({ length: buckets }, (_, i) => timeLabel((first + i) * unit.ms, unit));
  setSeries(chart, labels, [
    { key: 'merges', label: 'Merges', data: counts.merge },
    { key: 'splits', label: 'Splits', data: counts.split },
    { key: 'erases', label: 'Erasures', data: counts.erase },
  ]);
  return `Per ${unit.name}, from the changes feed.`;
}

function drawCounters(chart, samples) {
  setSeries(chart, samples.map((s) => formatClock(new Date(s.at))), [
    { key: 'merges', label: 'Merges', data: samples.map((s) => s.stats.merges) },
    { key: 'refused', label: 'Refused merges', data: samples.map((s) => s.stats.refused) },
    { key: 'splits', label: 'Splits', data: samples.map((s) => s.stats.splits) },
  ]);
}

/** Per-second growth between consecutive samples. */
function drawGrowth(chart, samples) {
  const pairs = samples.slice(1).map((s, i) => [samples[i], s]);
  const rate = (key) => pairs.map(([a, b]) => Math.max(0, b.stats[key] - a.stats[key]) / ((b.at - a.at) / MS_PER_SECOND));
  setSeries(chart, pairs.map(([, b]) => formatClock(new Date(b.at))), [
    { key: 'identifiers', label: 'New identifiers/s', data: rate('identifiers') },
    { key: 'links', label: 'New evidence links/s', data: rate('edges') },
  ]);
}
