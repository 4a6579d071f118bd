// API keys: who is calling, and may they do this to that tenant. Keys live in the store, which
// other processes (the CLI) change at any time: lookups are cached, and the cache is dropped
// whenever the store's key version moves (checked at most once per KEYS_VERSION_CHECK_MS).
import { ANY_TENANT, type FoundKey, type KeyRole, type KeyStore } from '../store/index.js';
import { RequestError } from '../types.js';
import { BoundedCache } from '../util/bounded-cache.js';

/** What a route demands of its caller. */
export type RequiredRole = Exclude<KeyRole, 'admin'>;

/** How long a key change made by another process may go unnoticed. */
export const KEYS_VERSION_CHECK_MS = 1000;
/** Presented strings remembered (found or not); bounded so random guesses cannot grow memory. */
const KEY_CACHE_SIZE = 10_000;

const ROLE_RANK: Record<KeyRole, number> = { write: 0, secret: 1, admin: 2 };

/** The caller of a request: a key, or nobody while the server runs open (no keys exist). */
export type Caller = { open: true } | { open: false; key: FoundKey };

export interface AuthOptions {
  /** Let every request through while no key exists (default true; false: refuse them all). */
  openWhenNoKeys?: boolean;
  /** Clock for the key-version checks (tests). */
  now?: () => number;
}

export class KeyAuthenticator {
  private readonly found = new BoundedCache<string, FoundKey | null>(KEY_CACHE_SIZE);
  private readonly openWhenNoKeys: boolean;
  private readonly now: () => number;
  /** What the last check of the store saw. */
  private version = Number.NaN;
  private noKeys = false;
  private open = false;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly keys: KeyStore, options: AuthOptions = {}) {
    this.openWhenNoKeys = options.openWhenNoKeys ?? true;
    this.now = options.now ?? Date.now;
  }

  /** True while no key exists (and that is allowed to mean open): every request is let through. */
  isOpen(): boolean {
    this.refresh();
    return this.open;
  }

  /** The caller behind a presented key (undefined: none presented). Throws 401 for an unknown key. */
  identify(presented: string | undefined): Caller {
    if (this.isOpen()) return { open: true };
    if (this.noKeys) throw unauthorized('no API keys are configured; create one with `persona-graph keys create`');
    if (presented === undefined || presented === '') throw unauthorized('an API key is required: send Authorization: Bearer <key>');
    let key = this.found.get(presented);
    if (key === undefined) {
      key = this.keys.findKey(presented);
      this.found.set(presented, key);
    }
    if (key === null) throw unauthorized('the API key is unknown or revoked');
    return { open: false, key };
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < KEYS_VERSION_CHECK_MS) return;
    this.checkedAt = now;
    const version = this.keys.keysVersion();
    if (version === this.version) return;
    this.version = version;
    this.found.clear();
    this.noKeys = this.keys.keyCount() === 0;
    this.open = this.noKeys && this.openWhenNoKeys;
  }
}

/** Throws 403 unless the caller may act on `tenant` with at least `role`. */
export function authorize(caller: Caller, role: RequiredRole, tenant: string): void {
  if (caller.open) return;
  const { key } = caller;
  // an admin key acts on every tenant (the contract), also one created with `--tenant T`
  if (key.tenant !== tenant && key.role !== 'admin') {
    throw forbidden(`this key belongs to another tenant and cannot act on "${tenant.slice(0, 64)}"`);
  }
  if (ROLE_RANK[key.role] < ROLE_RANK[role]) throw forbidden(`this needs a ${role} key; a ${key.role} key was sent`);
}

/**
 * Throws 403 for a secret or admin key sent as `?key=`: browsers need the URL for write keys
 * (sendBeacon sends no headers), but a URL ends up in proxy logs and browser history.
 */
export function onlyWriteKeyInUrl(caller: Caller): void {
  if (caller.open || caller.key.role === 'write') return;
  throw forbidden(`a ${caller.key.role} key must not be sent in the URL (?key=), where proxy logs and browser history keep it: send it as Authorization: Bearer <key>, and consider replacing this key`);
}

/**
 * The one tenant a key sends analytics events to (its own). An admin key belongs to no single
 * tenant; open mode takes the presented key as the tenant id, so clients work unchanged in dev.
 */
export function wireTenant(caller: Caller, presented: string | undefined): string {
  if (caller.open) {
    if (presented === undefined || presented === '') throw unauthorized('send the tenant id as the write key while the server runs without keys');
    return presented;
  }
  if (caller.key.tenant === ANY_TENANT) throw forbidden('an admin key names no tenant; send a tenant\'s write key');
  return caller.key.tenant;
}

/**
 * The last Authorization header read, and its key: a client sends the same header on every request,
 * and comparing it costs less than the regular expression (the key kept is then the same string,
 * whose hash the key cache already has).
 */
let lastHeader: string | undefined;
let lastBearerKey: string | undefined;

/** The key in `Authorization: Bearer <key>`, if any. */
export function bearerKey(header: string | undefined): string | undefined {
  if (header === lastHeader) return lastBearerKey;
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  lastHeader = header;
  lastBearerKey = match === null ? undefined : match[1];
  return lastBearerKey;
}

function unauthorized(message: string): RequestError {
  return new RequestError(401, 'unauthorized', message);
}

function forbidden(message: string): RequestError {
  return new RequestError(403, 'forbidden', message);
}
