// Reading loosely typed JSON from analytics clients.

export type JsonRecord = Record<string, unknown>;

/** Marks a field that is present but of a type the format does not allow. */
export const WRONG_TYPE = Symbol('wrong type');

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An id field: a string, or a finite number (some server libraries send numeric user ids).
 * Missing, null and blank mean absent (analytics.js sends `userId: null` before identify).
 */
export function readId(value: unknown): string | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : WRONG_TYPE;
  if (typeof value !== 'string') return WRONG_TYPE;
  return value.trim() === '' ? undefined : value;
}

/** A string field; missing, null and blank mean absent. */
export function readText(value: unknown): string | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return WRONG_TYPE;
  return value.trim() === '' ? undefined : value;
}

/** `record[key]` when `record` is an object, else undefined. */
export function field(record: unknown, key: string): unknown {
  return isRecord(record) ? record[key] : undefined;
}

/** UTF-8 size of a value serialized as JSON (how Segment measures its limits). */
export function serializedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** `override` laid over `base`, nested objects merged key by key; `override` wins on conflicts. */
export function mergeRecords(base: JsonRecord, override: JsonRecord): JsonRecord {
  // A Map, not assignment: a `__proto__` key from JSON.parse must stay a plain own property.
  const merged = new Map(Object.entries(base));
  for (const [key, value] of Object.entries(override)) {
    const below = merged.get(key);
    merged.set(key, isRecord(below) && isRecord(value) ? mergeRecords(below, value) : value);
  }
  return Object.fromEntries(merged);
}
