// PersonaGraph: the library facade and the product's real API. HTTP and the CLI are thin adapters
// over it, so "embedded in a Node worker" and "behind HTTP" behave the same.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  IDENTIFIER_TYPES, RequestError, type AudienceRequest, type AudienceResult, type Channel, type Identifier, type IdentifierType,
  type IngestResult, type ItemError, type Persona,
} from '../types.js';
import {
  composeDeviceId, validateDeviceComponents, signLinkToken, addTokenToUrl, mapToDeviceId, type LinkSecrets,
} from '../identity/index.js';
import { openStore, type Durability, type Store, type KeyStore } from '../store/index.js';
import type { Shard, TenantStats } from '../engine/shard.js';
import { completeConfig, updateConfig, type TenantConfig } from './config.js';
import { normalizeEvents } from './events.js';
import { checkLookupShape, engineKeyOf, engineKeysOf, lookupKeyOf, otherEmailKey, type LookupKey } from './lookup-keys.js';
import { cachedPersona, cachedPersonaJson } from './persona-cache.js';
import { ShardSet, graphClosed, type ShardOperations } from './shards.js';
import { lockDataDir } from './data-dir.js';
import { addressType, buildAudience, checkAudienceRequest } from './audience.js';
import { addressClaimKeys, buildGraph, buildPersona, locateById, locateByNode, type GraphNode, type Located, type PersonaGraphView } from './views.js';
import type { Change, IngestOutcome, IdentifierPair } from './writer.js';
import { QualitySummaries, type QualitySummary } from './quality.js';
import { traceStartup } from '../util/startup-trace.js';

export interface PersonaGraphOptions {
  /** Directory of the durable store; omitted or null: memory only. */
  dataDir?: string | null;
  /** Shards (each a WASM memory with its own writer thread). Fixed for a data directory once created. */
  shards?: number;
  /** 'full' (default) survives power loss; 'normal' survives a process crash. */
  durability?: Durability;
  /** Writes waiting per shard before new ones are refused with 503. */
  maxQueue?: number;
  /** Snapshot every shard this often (ms) when it changed; 0 disables periodic snapshots. */
  snapshotIntervalMs?: number;
  /** Write snapshots on close (default true); false leaves the whole log tail to replay on the next open. */
  snapshotOnClose?: boolean;
  /** Tests only: faults to inject into the shard writers. */
  faults?: { dieWhileApplyingTenant?: string };
}

export interface LinkRequest {
  url: string;
  recipient: Partial<Record<IdentifierType, string>>;
  campaign: string;
  channel: string;
  ttlSeconds?: number;
}

export interface SplitRequest {
  identifiers?: Identifier[];
  /** Each end an identifier, or a node index of the persona's graph (edges as `graph` lists them). */
  edges?: { from: Identifier | number; to: Identifier | number }[];
}

export interface ChangesPage { changes: (Change & { cursor: string })[]; cursor: string }

const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const DEFAULT_SHARDS = 2;
const DEFAULT_MAX_QUEUE = 256;
const DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
const DEFAULT_LINK_TTL_SECONDS = 90 * 24 * 3600;
const MAX_LINK_TTL_SECONDS = 400 * 24 * 3600;
const MAX_CAMPAIGN_LENGTH = 256;
const MAX_LOOKUPS = 10_000;
const CHANGES_PAGE = 1000;
const META_FILE = 'meta.json';
/** The engine key of a lookup that names no valid identifier: a type no node has, so it finds nothing. */
const NO_KEY = Object.freeze({ type: 0xff, value: '' });

export function checkTenant(tenant: string): string {
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    throw new RequestError(400, 'invalid_tenant', 'tenant ids match ^[a-z0-9][a-z0-9_-]{0,63}$');
  }
  return tenant;
}

/** The shard count is part of a data directory: tenants hash to shards, so it must never change under it. */
function shardCountFor(dataDir: string | null, requested: number | undefined): number {
  if (!dataDir) return requested ?? DEFAULT_SHARDS;
  mkdirSync(dataDir, { recursive: true });
  const metaPath = join(dataDir, META_FILE);
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { shards: number };
    if (requested !== undefined && requested !== meta.shards) {
      throw new Error(`${dataDir} was created with ${meta.shards} shards; it cannot be opened with ${requested}`);
    }
    return meta.shards;
  }
  const shards = requested ?? DEFAULT_SHARDS;
  writeFileSync(metaPath, JSON.stringify({ shards }));
  return shards;
}

export class PersonaGraph {
  private readonly configs = new Map<string, TenantConfig>();
  private readonly qualitySummaries = new QualitySummaries((tenant) => (read) => this.shards.read(tenant, read));
  private snapshotTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly shards: ShardSet,
    readonly dataDir: string | null,
    private readonly unlock: () => void,
    private readonly snapshotOnClose: boolean,
  ) {}

  static async open(options: PersonaGraphOptions = {}): Promise<PersonaGraph> {
    const dataDir = options.dataDir ?? null;
    const shards = shardCountFor(dataDir, options.shards);
    const durability = options.durability ?? 'full';
    const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
    // The writers start first: restoring their shards is most of opening, and needs nothing of this thread's store.
    const opening = ShardSet.open({ dataDir, shards, durability, maxQueue: options.maxQueue ?? DEFAULT_MAX_QUEUE, faults: options.faults });
    let store: Store | undefined;
    let set: ShardSet;
    try {
      store = openStore(dataDir, { durability });
      traceStartup('store opened');
      set = await opening;
    } catch (error) {
      await opening.then((started) => started.close(), () => undefined);
      store?.close();
      unlock();
      throw error;
    }
    const graph = new PersonaGraph(store, set, dataDir, unlock, options.snapshotOnClose ?? true);
    const interval = options.snapshotIntervalMs ?? (dataDir ? DEFAULT_SNAPSHOT_INTERVAL_MS : 0);
    if (interval > 0) {
      graph.snapshotTimer = setInterval(() => { graph.snapshot().then(() => graph.compact()).catch(() => undefined); }, interval);
      graph.snapshotTimer.unref();
    }
    return graph;
  }

  /** Keys of the data directory, for the HTTP layer's auth. */
  get keys(): KeyStore {
    return this.store.keys;
  }

  // ---- tenant settings ----

  config(tenant: string): TenantConfig {
    checkTenant(tenant);
    if (this.closed) throw graphClosed(); // the store is closed too
    let config = this.configs.get(tenant);
    if (!config) {
      config = completeConfig(this.store.tenants.getTenantConfig(tenant));
      this.configs.set(tenant, config);
    }
    return config;
  }

  async configure(tenant: string, update: unknown): Promise<TenantConfig> {
    const next = updateConfig(this.config(tenant), update);
    await this.shards.write(tenant, { op: 'configure', tenant, config: next });
    this.store.tenants.putTenantConfig(tenant, next as unknown as Record<string, unknown>);
    this.configs.set(tenant, next);
    return next;
  }

  // ---- events ----

  /** Ingests one event, an array, or `{events: [...]}`; acknowledged events are durable on return. */
  ingest(tenant: string, input: unknown): Promise<IngestResult & { seq: number | null }> {
    // Not async: neither the request's events nor their normalized objects stay reachable while the
    // write waits (with a few batches in flight they were most of what each young-generation
    // collection had to copy); only the encoded batch does.
    let started: StartedIngest;
    try {
      started = this.startIngest(tenant, input);
    } catch (error) {
      return Promise.reject(error);
    }
    return ingestResult(started);
  }

  /** Normalizes a batch and queues its write, encoded at once. */
  private startIngest(tenant: string, input: unknown): StartedIngest {
    const config = this.config(tenant);
    this.admitWrite(tenant);
    const { events, errors } = normalizeEvents(eventList(input), config, { tenant, secrets: this.linkSecrets(tenant) });
    if (events.length === 0) return { count: 0, errors };
    const write = this.shards.write<IngestOutcome>(tenant, { op: 'ingest', tenant, events: events.map((e) => e.event) });
    return { write, count: events.length, errors, indices: events.map((e) => e.index) };
  }

  // ---- reads ----

  /** Persona id per identifier, in input order; null where unknown or not a valid value; 400 for a type that is not an identifier type. */
  async resolve(tenant: string, identifiers: Identifier[]): Promise<(string | null)[]> {
    if (!Array.isArray(identifiers)) throw new RequestError(400, 'invalid_identifiers', 'identifiers must be an array');
    if (identifiers.length > MAX_LOOKUPS) throw new RequestError(400, 'batch_too_large', `at most ${MAX_LOOKUPS} lookups per request, got ${identifiers.length}`);
    const config = this.config(tenant);
    const found = engineKeysOf(identifiers, config);
    const keys = new Array<LookupKey['engine']>(identifiers.length);
    for (let i = 0; i < identifiers.length; i++) {
      const key = found[i];
      if (key === null) checkLookupType(identifiers[i], i);
      keys[i] = key ?? NO_KEY;
    }
    return this.shards.read(tenant, (shard, t) => {
      const records = resolveRecords(shard, t, identifiers, keys, config);
      const personas = new Array<string | null>(records.length);
      for (let i = 0; i < records.length; i++) personas[i] = records[i] === 0 ? null : shard.personaId(records[i]);
      return personas;
    });
  }

  /** The persona of one identifier, or null. Throws 400 for a value that cannot be normalized. */
  async personaOf(tenant: string, identifier: Identifier): Promise<Persona | null> {
    const keys = this.personaLookupKeys(tenant, identifier);
    return this.shards.read(tenant, (shard, t) => {
      const located = locateByKeys(shard, t, keys);
      return located ? cachedPersona(shard, located.record, () => buildPersona(shard, located)) : null;
    });
  }

  /**
   * `JSON.stringify` of what `personaOf` answers, or null: the same text is handed out again until
   * the shard changes, so a repeated lookup costs no building and no encoding.
   */
  async personaJsonOf(tenant: string, identifier: Identifier): Promise<string | null> {
    const keys = this.personaLookupKeys(tenant, identifier);
    // `return await`: an async function returning a promise unwraps it two ticks later
    return await this.shards.read(tenant, (shard, t) => {
      const located = locateByKeys(shard, t, keys);
      return located ? cachedPersonaJson(shard, located.record, () => buildPersona(shard, located)) : null;
    });
  }

  async persona(tenant: string, id: string): Promise<Persona | null> {
    checkTenant(tenant);
    return this.shards.read(tenant, (shard, t) => {
      const located = locateById(shard, t, id);
      return located ? cachedPersona(shard, located.record, () => buildPersona(shard, located)) : null;
    });
  }

  async dedupe(tenant: string, request: AudienceRequest | unknown): Promise<AudienceResult> {
    const { channel, recipients } = checkAudienceRequest(request);
    const config = this.config(tenant);
    const inputs = recipients.map((r) => this.lookupKeyIdentifier(r, config));
    return this.shards.read(tenant, (shard, t) => {
      const records = resolveRecords(shard, t, recipients, inputs.map((k) => k?.engine ?? NO_KEY), config);
      return buildAudience(shard, channel, inputs, records);
    });
  }

  /** Like dedupe, but only personas not yet claimed for this campaign; claims are durable. */
  async claim(tenant: string, campaign: string, request: AudienceRequest | unknown): Promise<AudienceResult & { stats: { alreadyClaimed: number } }> {
    checkCampaign(campaign);
    const { channel, recipients } = checkAudienceRequest(request);
    const config = this.config(tenant);
    const inputs = recipients.map((r) => this.lookupKeyIdentifier(r, config));
    // read and claim in one synchronous step: no other request can interleave on this thread
    const { audience, keys } = await this.shards.read(tenant, (shard, t) => {
      const records = resolveRecords(shard, t, recipients, inputs.map((k) => k?.engine ?? NO_KEY), config);
      const audience = buildAudience(shard, channel, inputs, records);
      const keys = audience.recipients.map((recipient) => {
        // an unknown input is claimed under its matching form, as a persona's addresses are
        if (!recipient.persona) return [`${addressType(channel)}:${inputs[recipient.inputs[0]]!.value}`];
        const located = locateById(shard, t, recipient.persona);
        if (!located) return [recipient.persona];
        return [recipient.persona, ...buildPersona(shard, located).aliases, ...addressClaimKeys(shard, located.root)];
      });
      return { audience, keys };
    });
    const fresh = this.store.claims.claim(tenant, campaign, keys);
    const recipientsLeft = audience.recipients.filter((_, i) => fresh[i]);
    return {
      recipients: recipientsLeft,
      unreachable: audience.unreachable,
      stats: { ...audience.stats, recipients: recipientsLeft.length, alreadyClaimed: audience.recipients.length - recipientsLeft.length },
    };
  }

  // ---- devices and links ----

  composeDevice(tenant: string, components: unknown): string {
    checkTenant(tenant);
    return composeDeviceId(tenant, validateDeviceComponents(components));
  }

  /** A deterministic device UUID for an analytics client's anonymous id. */
  deviceIdFor(tenant: string, anyId: string): string {
    return mapToDeviceId(tenant, anyId);
  }

  createLink(tenant: string, request: unknown): { url: string; token: string } {
    checkTenant(tenant);
    if (typeof request !== 'object' || request === null) throw new RequestError(400, 'invalid_body', 'the body must be a JSON object');
    const body = request as Partial<LinkRequest>;
    if (typeof body.url !== 'string') throw new RequestError(400, 'invalid_url', 'url must be a string');
    checkCampaign(body.campaign);
    if (!['email', 'sms', 'viber'].includes(body.channel as string)) throw new RequestError(400, 'invalid_channel', 'channel must be email, sms or viber');
    const entries = Object.entries(body.recipient ?? {});
    if (typeof body.recipient !== 'object' || entries.length !== 1) {
      throw new RequestError(400, 'invalid_recipient', 'recipient must name exactly one identifier, e.g. {"subscriber": "s-1"}');
    }
    const [type, value] = entries[0] as [IdentifierType, unknown];
    const recipient = this.lookupKeyIdentifier({ type, value: value as string }, this.config(tenant));
    if (!recipient) throw new RequestError(400, 'invalid_recipient', `recipient ${String(type)} "${String(value).slice(0, 64)}" is not a valid identifier`);
    const ttl = body.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_LINK_TTL_SECONDS) throw new RequestError(400, 'invalid_ttl', `ttlSeconds must be 1..${MAX_LINK_TTL_SECONDS}`);
    const [secret] = this.store.links.linkSecrets(tenant);
    const token = signLinkToken({
      t: tenant, r: { type: recipient.type, value: recipient.value }, c: body.campaign as string, ch: body.channel as Channel,
      exp: Math.floor(Date.now() / 1000) + ttl,
    }, secret);
    return { url: addTokenToUrl(body.url, token), token };
  }

  /** Adds a new link-signing secret; tokens signed with older ones keep verifying. */
  rotateLinkSecret(tenant: string): void {
    checkTenant(tenant);
    this.store.links.rotateLinkSecret(tenant);
  }

  private linkSecrets(tenant: string): LinkSecrets {
    // verifying never creates a secret: only createLink does
    return (kid: string) => this.store.links.existingLinkSecrets(tenant).find((s) => s.id === kid)?.key;
  }

  // ---- quality tools ----

  async graph(tenant: string, id: string): Promise<PersonaGraphView | null> {
    checkTenant(tenant);
    const view = await this.graphView(tenant, id);
    if (!view || view.edges.length === 0) return view;
    const ids = await this.shards.write<(string | null)[]>(tenant, { op: 'events', tenant, refs: view.edges.map((e) => [e.seq, e.item]) });
    view.edges.forEach((edge, i) => { edge.eventId = ids[i]; });
    return view;
  }

  /** The persona's identifiers and evidence, without event ids (split reads its node order). */
  private graphView(tenant: string, id: string): Promise<PersonaGraphView | null> {
    return this.shards.read(tenant, (shard, t) => {
      const located = locateById(shard, t, id);
      return located ? buildGraph(shard, located) : null;
    });
  }

  async split(tenant: string, id: string, request: SplitRequest | unknown): Promise<Persona[] | null> {
    const config = this.config(tenant);
    const body = (request ?? {}) as SplitRequest;
    if (typeof body !== 'object' || (body.identifiers !== undefined && !Array.isArray(body.identifiers)) || (body.edges !== undefined && !Array.isArray(body.edges))) {
      throw new RequestError(400, 'invalid_body', 'split takes {"identifiers": [...]} and/or {"edges": [...]}');
    }
    const pair = (identifier: Identifier): IdentifierPair => {
      const key = this.lookupKeyIdentifier(identifier, config);
      if (!key) throw new RequestError(400, 'invalid_identifier', `not a valid identifier: ${JSON.stringify(identifier).slice(0, 128)}`);
      return [key.type, key.value];
    };
    const identifiers = (body.identifiers ?? []).map(pair);
    const byIndex = (body.edges ?? []).some((edge) => typeof edge?.from === 'number' || typeof edge?.to === 'number');
    // node indices as `graph` lists them
    const nodes: GraphNode[] | null = byIndex ? (await this.graphView(tenant, id))?.nodes ?? null : [];
    if (!nodes) return null;
    const end = (at: Identifier | number): IdentifierPair => {
      if (typeof at !== 'number') return pair(at);
      const node = Number.isInteger(at) ? nodes[at] : undefined;
      if (!node) throw new RequestError(400, 'invalid_edge', `the persona's graph has no node ${at}`);
      return pair({ type: node.type, value: node.value });
    };
    const edges = (body.edges ?? []).map((edge): [IdentifierPair, IdentifierPair] => {
      if (typeof edge !== 'object' || edge === null) throw new RequestError(400, 'invalid_edge', 'an edge is {"from": identifier, "to": identifier}, or node indices as the graph lists them');
      return [end(edge.from), end(edge.to)];
    });
    if (identifiers.length + edges.length === 0) throw new RequestError(400, 'nothing_to_split', 'name identifiers and/or edges to cut');
    const persona = await this.persona(tenant, id);
    if (!persona) return null;
    await this.checkSplitInPersona(tenant, persona.id, identifiers, edges);
    await this.shards.write(tenant, { op: 'split', tenant, spec: { persona: persona.id, identifiers, edges } });
    // every piece: the personas of the persona's former identifiers
    const pieces = await this.resolve(tenant, persona.identifiers.map(({ type, value }) => ({ type, value })));
    const distinct = [...new Set(pieces.filter((p): p is string => p !== null))];
    const views = await Promise.all(distinct.map((p) => this.persona(tenant, p)));
    return views.filter((p): p is Persona => p !== null);
  }

  /**
   * 400 when a split names an identifier the persona does not hold (or an edge with neither end in it):
   * such a cut would change nothing, and a 200 would read as done. Nothing is written then.
   */
  private async checkSplitInPersona(tenant: string, persona: string, identifiers: IdentifierPair[], edges: [IdentifierPair, IdentifierPair][]): Promise<void> {
    const named = [...identifiers, ...edges.flat()];
    const owners = await this.resolve(tenant, named.map(([type, value]) => ({ type, value })));
    const inPersona = (at: number) => owners[at] === persona;
    const outside: { path: string; message: string }[] = [];
    identifiers.forEach(([type], i) => {
      if (!inPersona(i)) outside.push({ path: `identifiers/${i}`, message: `this ${type} is not an identifier of ${persona}` });
    });
    edges.forEach((_, i) => {
      const at = identifiers.length + 2 * i;
      if (!inPersona(at) && !inPersona(at + 1)) outside.push({ path: `edges/${i}`, message: `neither end of this edge is an identifier of ${persona}` });
    });
    if (outside.length > 0) throw new RequestError(400, 'not_in_persona', `${outside[0].path}: ${outside[0].message}`, { errors: outside });
  }

  async changes(tenant: string, since?: string, limit = CHANGES_PAGE): Promise<ChangesPage> {
    checkTenant(tenant);
    // a cursor is written in digits: Number() would also take "0x1", "1e3" or " 5"
    const after = since === undefined || since === '' ? 0 : /^[0-9]{1,15}$/.test(since) ? Number(since) : NaN;
    if (!Number.isSafeInteger(after)) throw new RequestError(400, 'invalid_cursor', 'since must be a cursor returned by this endpoint');
    if (!Number.isInteger(limit) || limit < 1 || limit > CHANGES_PAGE) throw new RequestError(400, 'invalid_limit', `limit must be an integer from 1 to ${CHANGES_PAGE}`);
    const rows = await this.shards.write<{ cursor: number; change: Change }[]>(tenant, { op: 'changes', tenant, since: after, limit });
    return {
      changes: rows.map((row) => ({ ...row.change, cursor: String(row.cursor) })),
      cursor: String(rows.length > 0 ? rows[rows.length - 1].cursor : after),
    };
  }

  /** Erases identifiers for good (GDPR): graph, stored events and their traits. */
  async erase(tenant: string, identifiers: Identifier[]): Promise<{ erased: number }> {
    const config = this.config(tenant);
    if (!Array.isArray(identifiers) || identifiers.length === 0 || identifiers.length > MAX_LOOKUPS) {
      throw new RequestError(400, 'invalid_identifiers', `identifiers must be an array of 1 to ${MAX_LOOKUPS} identifiers`);
    }
    const keys = identifiers.map((identifier) => {
      const key = this.lookupKeyIdentifier(identifier, config);
      if (!key) throw new RequestError(400, 'invalid_identifier', `not a valid identifier: ${JSON.stringify(identifier).slice(0, 128)}`);
      return key;
    });
    // an email stored while emailCanonical had the other value is keyed in the other form: erase both
    const pairs = keys.flatMap((key, i) => {
      const other = otherEmailKey(identifiers[i], key.engine, config);
      return other ? [[key.type, key.value], [key.type, other.value]] as IdentifierPair[] : [[key.type, key.value] as IdentifierPair];
    });
    // Counted before the write: the answer reports what the graph held. Every value is still
    // remembered as erased, found or not, so one never seen cannot come in later.
    const erased = await this.shards.read(tenant, (shard, t) => countFound(resolveRecords(shard, t, identifiers, keys.map((k) => k.engine), config), keys));
    await this.shards.write(tenant, { op: 'erase', tenant, identifiers: pairs });
    return { erased };
  }

  /** Erases every identifier of a persona; null when the id is unknown. */
  async deletePersona(tenant: string, id: string): Promise<{ erased: number } | null> {
    const identifiers = await this.shards.read(tenant, (shard, t) => {
      const located = locateById(shard, t, id);
      if (!located) return null;
      return shard.members(located.root).map((n) => shard.node(n)).map((n) => ({ type: IDENTIFIER_TYPES[n.type], value: n.value }));
    });
    if (!identifiers) return null;
    await this.shards.write(tenant, { op: 'erase', tenant, identifiers: identifiers.map((i) => [i.type, i.value] as IdentifierPair) });
    return { erased: identifiers.length };
  }

  // ---- operations ----

  /** Per-tenant counters of the graph. */
  async stats(tenant: string): Promise<TenantStats | null> {
    checkTenant(tenant);
    return this.shards.read(tenant, (shard, t) => (t === 0 ? null : shard.tenantStats(t)));
  }

  /** Persona sizes, the largest personas, shared and blocked identifiers (the explorer's dashboard). */
  async quality(tenant: string): Promise<QualitySummary> {
    checkTenant(tenant);
    return this.qualitySummaries.summary(tenant);
  }

  /** Refuses a write (503, Retry-After) before any work is spent on it when the tenant's shard queue is full. */
  admitWrite(tenant: string): void {
    this.shards.admit(this.shards.shardOf(checkTenant(tenant)));
  }

  /** Whether any shard's write queue is full: readiness reports it, so load balancers back off. */
  overloaded(): boolean {
    return this.shards.overloaded();
  }

  /** Per shard: memory size and how long log appends and snapshot writes take. */
  operations(): ShardOperations[] {
    return this.shards.operations();
  }

  /** Writer threads that died and were replaced since open. */
  get writerRestarts(): number {
    return this.shards.restarts;
  }

  /** Writes a snapshot of every shard (also done periodically and on close). */
  async snapshot(): Promise<void> {
    await Promise.all(Array.from({ length: this.shards.count }, (_, s) => this.shards.writeShard(s, { op: 'snapshot' })));
  }

  /**
   * Drops log entries every shard's oldest kept snapshot covers, so disk use stays bounded. The
   * oldest, not the newest: recovery may fall back to it when the newest is damaged.
   */
  async compact(): Promise<{ prunedThrough: number; entries: number }> {
    const shards = Array.from({ length: this.shards.count }, (_, s) => s);
    const floors = await Promise.all(shards.map((s) => this.shards.writeShard<number>(s, { op: 'oldestSnapshot' })));
    const through = Math.min(...floors);
    if (through <= 0) return { prunedThrough: 0, entries: 0 };
    const removed = await Promise.all(shards.map((s) => this.shards.writeShard<number>(s, { op: 'prune', through })));
    return { prunedThrough: through, entries: removed.reduce((a, b) => a + b, 0) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    if (this.dataDir && this.snapshotOnClose) await this.snapshot();
    await this.shards.close();
    this.store.close();
    this.unlock();
  }

  // ---- helpers ----

  private lookupKeyIdentifier(identifier: unknown, config: TenantConfig): LookupKey | null {
    return lookupKeyOf(identifier, config);
  }

  /** The engine key of a single lookup, then an email's other form if any; 400 for a value that cannot be normalized. */
  private personaLookupKeys(tenant: string, identifier: Identifier): LookupKey['engine'][] {
    const config = this.config(tenant);
    const key = engineKeyOf(identifier, config);
    if (!key) {
      throw new RequestError(400, `invalid_${IDENTIFIER_TYPES.includes(identifier.type) ? identifier.type : 'identifier'}`,
        `${String(identifier.type)} "${String(identifier.value).slice(0, 64)}" cannot be normalized`);
    }
    const other = otherEmailKey(identifier, key, config);
    return other ? [key, other] : [key];
  }
}

/** How many distinct identifiers (by normalized key) of `keys` have a record: found in the graph. */
function countFound(records: Uint32Array, keys: LookupKey[]): number {
  const found = new Set<string>();
  for (let i = 0; i < records.length; i++) if (records[i] !== 0) found.add(`${keys[i].type}:${keys[i].value}`);
  return found.size;
}

/**
 * 400 for a lookup whose type is not an identifier type: `null` answers an unknown value, and a
 * wrong type is a mistake in the request (GET /resolve?fax= is refused alike, with the same code).
 */
function checkLookupType(identifier: unknown, index: number): void {
  checkLookupShape(identifier, 'identifiers', index);
  const type = typeof identifier === 'object' && identifier !== null ? (identifier as { type?: unknown }).type : undefined;
  if (IDENTIFIER_TYPES.includes(type as IdentifierType)) return;
  const path = `identifiers/${index}/type`;
  const message = `${String(JSON.stringify(type)).slice(0, 64)} is not an identifier type; use one of ${IDENTIFIER_TYPES.join(', ')}`;
  throw new RequestError(400, 'invalid_request', `${path}: ${message}`, { errors: [{ path, message }] });
}

function checkCampaign(campaign: unknown): void {
  if (typeof campaign !== 'string' || campaign.length < 1 || campaign.length > MAX_CAMPAIGN_LENGTH) {
    throw new RequestError(400, 'invalid_campaign', `campaign must be a string of 1 to ${MAX_CAMPAIGN_LENGTH} characters`);
  }
}

/** An ingest whose events are normalized and whose write (if any event is valid) is queued. */
interface StartedIngest {
  write?: Promise<IngestOutcome>;
  count: number;
  errors: ItemError[];
  /** The request index of each event written. */
  indices?: number[];
}

async function ingestResult({ write, count, errors, indices }: StartedIngest): Promise<IngestResult & { seq: number | null }> {
  if (!write) return { accepted: 0, duplicates: 0, errors, seq: null };
  const outcome = await write;
  const duplicates = outcome.duplicate.filter(Boolean).length;
  if (outcome.erased && indices) errors = withErasedValues(errors, outcome.erased, indices);
  return { accepted: count - duplicates, duplicates, errors, seq: outcome.seq };
}

/**
 * `errors` and an `erased_value` item error per erased value the writer dropped, in request order.
 * The value is not repeated: the answer (and whatever logs it) should not carry it again.
 */
function withErasedValues(errors: ItemError[], erased: [number, IdentifierType][], indices: number[]): ItemError[] {
  const reported = erased.map(([at, type]): ItemError => ({
    index: indices[at], field: `identifiers.${type}`,
    error: { code: 'erased_value', message: `this ${type} was erased (GDPR): the event is kept without it and links nothing by it` },
  }));
  return [...errors, ...reported].sort((a, b) => a.index - b.index);
}

function eventList(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'object' && input !== null && 'events' in input) {
    const events = (input as { events: unknown }).events;
    if (!Array.isArray(events)) throw new RequestError(400, 'invalid_body', 'events must be an array');
    return events;
  }
  if (typeof input === 'object' && input !== null) return [input];
  throw new RequestError(400, 'invalid_body', 'send one event object, an array of events, or {"events": [...]}');
}

/** Where the persona holding the first of `keys` that the shard knows lives, or null. */
function locateByKeys(shard: Shard, tenantIndex: number, keys: LookupKey['engine'][]): Located | null {
  for (const key of keys) {
    const node = shard.lookupNode(tenantIndex, key);
    if (node !== 0) return locateByNode(shard, node);
  }
  return null;
}

/**
 * The records of `keys` (0: unknown). An email not found is looked up again in its other matching
 * form: emails stored before the tenant's emailCanonical changed are keyed so.
 */
function resolveRecords(shard: Shard, tenantIndex: number, identifiers: unknown[], keys: LookupKey['engine'][], config: TenantConfig): Uint32Array {
  const records = shard.resolveRecords(tenantIndex, keys);
  let retried: number[] | undefined;
  let otherKeys: LookupKey['engine'][] | undefined;
  for (let i = 0; i < records.length; i++) {
    if (records[i] !== 0) continue;
    const other = otherEmailKey(identifiers[i], keys[i], config);
    if (!other) continue;
    (retried ??= []).push(i);
    (otherKeys ??= []).push(other);
  }
  if (!retried || !otherKeys) return records;
  const found = shard.resolveRecords(tenantIndex, otherKeys);
  for (let j = 0; j < retried.length; j++) records[retried[j]] = found[j];
  return records;
}
