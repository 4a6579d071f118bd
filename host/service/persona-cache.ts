// Personas already built from a shard, valid while the shard has not changed since. Building one
// walks its members in the shard and formats every identifier (tens of µs); a GET /resolve of a
// known customer then costs a copy, or nothing at all when its JSON text is asked for. The shard's
// write version (its seqlock) tells when any write happened; the whole cache is dropped then, so no
// persona (object or text) is ever served from an older state.
import type { Persona } from '../types.js';
import type { Shard } from '../engine/shard.js';

/** Personas kept per shard between two writes. */
const MAX_CACHED = 20_000;

interface CachedPersona {
  persona: Persona;
  /** `JSON.stringify(persona)`, made the first time it is asked for. */
  json: string | undefined;
}

interface ShardCache {
  version: number;
  byRecord: Map<number, CachedPersona>;
}

const caches = new WeakMap<Shard, ShardCache>();

/** The persona of `record`, built by `build` unless the shard still holds the one built before. */
export function cachedPersona(shard: Shard, record: number, build: () => Persona): Persona {
  const entry = cachedEntry(shard, record, build);
  return entry === null ? build() : copyOf(entry.persona);
}

/** `JSON.stringify` of the persona of `record`: the same text as long as the shard has not changed. */
export function cachedPersonaJson(shard: Shard, record: number, build: () => Persona): string {
  const entry = cachedEntry(shard, record, build);
  if (entry === null) return JSON.stringify(build());
  return (entry.json ??= JSON.stringify(entry.persona));
}

/** The cache entry of `record` in the shard's current state; null while a write is under way. */
function cachedEntry(shard: Shard, record: number, build: () => Persona): CachedPersona | null {
  const version = shard.readVersion();
  // odd: a write is under way; what is read now may be torn, so it is neither served from nor kept
  if ((version & 1) === 1) return null;
  let cache = caches.get(shard);
  if (!cache || cache.version !== version) {
    cache = { version, byRecord: new Map() };
    caches.set(shard, cache);
  }
  let entry = cache.byRecord.get(record);
  if (!entry) {
    entry = { persona: build(), json: undefined };
    if (cache.byRecord.size >= MAX_CACHED) cache.byRecord.clear();
    cache.byRecord.set(record, entry);
  }
  return entry;
}

/** Callers own what they get: a copy, so changing it cannot change the cached one. */
function copyOf(persona: Persona): Persona {
  return {
    id: persona.id,
    aliases: persona.aliases.slice(),
    email: persona.email,
    phone: persona.phone,
    identifiers: persona.identifiers.map((i) => ({ type: i.type, value: i.value, firstSeen: i.firstSeen, lastSeen: i.lastSeen })),
    counts: { ...persona.counts },
    createdAt: persona.createdAt,
    updatedAt: persona.updatedAt,
  };
}
