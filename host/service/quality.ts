// A tenant's graph quality at a glance, for the explorer's dashboard: how big personas are, which
// ones are largest, and which identifiers were found to be shared or are blocked junk.
//
// The summary walks every persona record and identifier node of the tenant's shard. It reads in
// pages, each page one consistent read: a read that overlaps a write is thrown away and retried
// (ShardSet.read), so one long read could starve under steady ingest, and it would hold the
// event loop. Pages in between can see different moments, which a dashboard can live with.
import type { Shard, TenantStats } from '../engine/shard.js';
import { NODE_FLAG, TYPE_NAMES } from '../engine/layout.js';
import type { IdentifierType } from '../types.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { locateByNode, shownValue } from './views.js';

/** Runs one consistent read of the tenant's shard (tenant index 0: the tenant has no data there). */
export type ShardReader = <T>(read: (shard: Shard, tenant: number) => T) => Promise<T>;

export interface SizeBucket {
  /** Identifiers per persona, inclusive; `max` null: no upper bound. */
  min: number;
  max: number | null;
  personas: number;
}

export interface LargePersona {
  id: string;
  size: number;
  counts: Record<IdentifierType, number>;
}

export interface FlaggedIdentifier {
  type: IdentifierType;
  value: string;
  shared: boolean;
  blocked: boolean;
  /** The persona holding it now (null if none does). */
  persona: string | null;
}

export interface QualitySummary {
  /** When sizes, largest and flagged were read (stats are read on every call). */
  at: string;
  stats: TenantStats;
  /** Persona counts by size, smallest sizes first; every bucket is listed, empty ones too. */
  sizes: SizeBucket[];
  /** The largest personas, largest first (ties: older record first). */
  largest: LargePersona[];
  /** Identifiers found to be shared between people, and blocked ones. */
  shared: number;
  blocked: number;
  /** Up to FLAGGED_LIMIT of them, shared ones first. */
  flagged: FlaggedIdentifier[];
}

/** Bucket lower bounds: single sizes while personas are small, then wider ranges. */
const SIZE_BUCKET_STARTS = [1, 2, 3, 4, 5, 6, 11, 21, 51, 101];
export const LARGEST_LIMIT = 10;
export const FLAGGED_LIMIT = 100;
/** Records read per consistent read: a few milliseconds of work, so writers are rarely in the way. */
const PAGE_RECORDS = 16_384;
/**
 * A walk is reused until it is this many times as old as it took: however many dashboards refresh,
 * walking a tenant takes at most about a tenth of a core (a small tenant's is fresh within
 * milliseconds; 300,000 identifiers take about 0.4 s, so about 4 s).
 */
const REUSE_FACTOR = 10;
const MAX_TENANTS_REMEMBERED = 1000;

const readStats = (shard: Shard, tenant: number): TenantStats => (tenant === 0 ? EMPTY_STATS : shard.tenantStats(tenant));
const EMPTY_STATS: TenantStats = { personas: 0, identifiers: 0, merges: 0, refused: 0, splits: 0, edges: 0, shared: 0 };

function emptyBuckets(): SizeBucket[] {
  return SIZE_BUCKET_STARTS.map((min, i) => ({
    min, max: i + 1 < SIZE_BUCKET_STARTS.length ? SIZE_BUCKET_STARTS[i + 1] - 1 : null, personas: 0,
  }));
}

function bucketOf(size: number): number {
  let i = SIZE_BUCKET_STARTS.length - 1;
  while (SIZE_BUCKET_STARTS[i] > size) i--;
  return i;
}

function countsByType(counts: number[]): Record<IdentifierType, number> {
  return Object.fromEntries(TYPE_NAMES.map((type, code) => [type, counts[code]])) as Record<IdentifierType, number>;
}

/** Keeps the `limit` largest personas seen, largest first. */
function keepLargest(largest: LargePersona[], candidate: LargePersona, limit: number): void {
  if (largest.length === limit && largest[limit - 1].size >= candidate.size) return;
  let at = largest.length;
  while (at > 0 && largest[at - 1].size < candidate.size) at--;
  largest.splice(at, 0, candidate);
  if (largest.length > limit) largest.pop();
}

/** Sizes of the tenant's active personas among records [from, to], and the largest of them. */
function readPersonaPage(shard: Shard, tenant: number, from: number, to: number): { sizes: number[]; largest: LargePersona[] } {
  const sizes: number[] = [];
  const largest: LargePersona[] = [];
  for (let record = from; record <= to; record++) {
    const view = shard.persona(record);
    if (view.tenant !== tenant || !view.active) continue;
    const size = view.counts.reduce((sum, n) => sum + n, 0);
    if (size === 0) continue; // every identifier erased
    sizes.push(size);
    keepLargest(largest, { id: view.id, size, counts: countsByType(view.counts) }, LARGEST_LIMIT);
  }
  return { sizes, largest };
}

/** Flagged identifiers of the tenant among nodes [from, to], and how many of each kind there were. */
function readNodePage(shard: Shard, tenant: number, from: number, to: number): { shared: number; blocked: number; flagged: FlaggedIdentifier[] } {
  let shared = 0;
  let blocked = 0;
  const flagged: FlaggedIdentifier[] = [];
  for (let n = from; n <= to; n++) {
    const node = shard.node(n);
    if (node.tenant !== tenant || (node.flags & NODE_FLAG.ERASED) !== 0) continue;
    const isShared = (node.flags & NODE_FLAG.SHARED) !== 0;
    const isBlocked = (node.flags & NODE_FLAG.BLOCKED) !== 0;
    if (!isShared && !isBlocked) continue;
    if (isShared) shared++;
    if (isBlocked) blocked++;
    const located = locateByNode(shard, n);
    flagged.push({
      type: TYPE_NAMES[node.type], value: shownValue(node), shared: isShared, blocked: isBlocked,
      persona: located ? shard.personaId(located.record) : null,
    });
  }
  return { shared, blocked, flagged };
}

/** The quality summary of the tenant that `read` reads; `pageRecords` records per consistent read. */
export async function summarizeQuality(read: ShardReader, { pageRecords = PAGE_RECORDS } = {}): Promise<QualitySummary> {
  const at = new Date().toISOString();
  const start = await read((shard, tenant) => ({
    stats: readStats(shard, tenant),
    known: tenant !== 0,
    ...shard.counts(),
  }));
  const summary: QualitySummary = { at, stats: start.stats, sizes: emptyBuckets(), largest: [], shared: 0, blocked: 0, flagged: [] };
  if (!start.known) return summary;

  for (let from = 1; from <= start.personaRecords; from += pageRecords) {
    const to = Math.min(start.personaRecords, from + pageRecords - 1);
    const page = await read((shard, tenant) => readPersonaPage(shard, tenant, from, to));
    for (const size of page.sizes) summary.sizes[bucketOf(size)].personas++;
    for (const persona of page.largest) keepLargest(summary.largest, persona, LARGEST_LIMIT);
  }

  // shared ones first: they are what splits people apart; blocked values are junk kept as data
  const shared: FlaggedIdentifier[] = [];
  const blocked: FlaggedIdentifier[] = [];
  for (let from = 1; from <= start.nodes; from += pageRecords) {
    const to = Math.min(start.nodes, from + pageRecords - 1);
    const page = await read((shard, tenant) => readNodePage(shard, tenant, from, to));
    summary.shared += page.shared;
    summary.blocked += page.blocked;
    for (const identifier of page.flagged) {
      const list = identifier.shared ? shared : blocked;
      if (list.length < FLAGGED_LIMIT) list.push(identifier);
    }
  }
  summary.flagged = [...shared, ...blocked].slice(0, FLAGGED_LIMIT);
  return summary;
}

/** Quality summaries per tenant: the walk reused while it is recent (see REUSE_FACTOR), the counters always current. */
export class QualitySummaries {
  private readonly walks = new BoundedCache<string, { walk: Promise<QualitySummary>; freshUntil: number }>(MAX_TENANTS_REMEMBERED);

  constructor(private readonly readerOf: (tenant: string) => ShardReader) {}

  async summary(tenant: string): Promise<QualitySummary> {
    const read = this.readerOf(tenant);
    let entry = this.walks.get(tenant);
    if (!entry || Date.now() >= entry.freshUntil) {
      const started = Date.now();
      // while in flight, callers share it
      const current = { walk: summarizeQuality(read), freshUntil: Number.POSITIVE_INFINITY };
      current.walk.then(
        () => { current.freshUntil = Date.now() + (Date.now() - started) * REUSE_FACTOR; },
        () => { current.freshUntil = 0; },
      );
      this.walks.set(tenant, current);
      entry = current;
    }
    const [summary, stats] = await Promise.all([entry.walk, read(readStats)]);
    return { ...summary, stats };
  }
}
