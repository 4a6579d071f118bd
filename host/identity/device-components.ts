// Fingerprint components a browser or app sends to get its device UUID composed by the server:
// their validation (untrusted JSON in) and their canonical serialization (stable bytes out).
import { RequestError } from '../types.js';

export type DeviceExtraValue = string | number | boolean | null | DeviceExtraValue[] | { [key: string]: DeviceExtraValue };

export interface DeviceComponents {
  browser?: string;
  cpu?: string;
  manufacturer?: string;
  model?: string;
  /** Further signals (screen, time zone, fonts, ...), nested up to MAX_EXTRA_DEPTH levels. */
  extra?: Record<string, DeviceExtraValue>;
}

const COMPONENT_FIELDS = ['browser', 'cpu', 'manufacturer', 'model'] as const;
export const MAX_COMPONENT_STRING_LENGTH = 512;
/** `extra` itself is level 1. */
export const MAX_EXTRA_DEPTH = 4;
/** Object keys plus array items, counted over the whole `extra` tree: bounds the hashing work. */
export const MAX_EXTRA_ENTRIES = 64;

const ALLOWED_FIELDS = new Set<string>([...COMPONENT_FIELDS, 'extra']);
const EMPTY_SERIALIZATION = '{}';

/**
 * Checks an untrusted request body and returns a fresh, plain copy of it as DeviceComponents.
 * Throws RequestError(400, 'invalid_device') naming the offending field.
 */
export function validateDeviceComponents(body: unknown): DeviceComponents {
  if (!isPlainObject(body)) throw invalid('device components must be a JSON object');
  const components: DeviceComponents = {};
  for (const [key, value] of Object.entries(body)) {
    if (!ALLOWED_FIELDS.has(key)) {
      throw invalid(`unknown field ${JSON.stringify(key)}: put further signals in "extra"`);
    }
    if (value === undefined || value === null) continue;
    if (key === 'extra') {
      if (!isPlainObject(value)) throw invalid('"extra" must be a JSON object');
      const budget = { entries: 0 };
      components.extra = copyExtraObject(value, 'extra', 1, budget);
    } else {
      components[key as (typeof COMPONENT_FIELDS)[number]] = checkString(value, key);
    }
  }
  if (canonicalComponents(components) === EMPTY_SERIALIZATION) {
    // An empty fingerprint would give every such client the same device, linking strangers.
    throw invalid('device components are all empty: send at least one non-empty component');
  }
  return components;
}

/**
 * Canonical serialization: strings trimmed and lower-cased, object keys sorted, and missing,
 * null, empty-string, empty-array and empty-object values all dropped, so equivalent
 * fingerprints serialize to the same bytes.
 */
export function canonicalComponents(components: DeviceComponents): string {
  const fields: Record<string, DeviceExtraValue> = {};
  for (const field of COMPONENT_FIELDS) {
    const value = components[field];
    if (value !== undefined) fields[field] = value;
  }
  if (components.extra !== undefined) fields.extra = components.extra;
  return serialize(fields) ?? EMPTY_SERIALIZATION;
}

/** Serializes a value canonically; undefined means "absent" (empty or missing). */
function serialize(value: DeviceExtraValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const text = value.trim().normalize('NFC').toLowerCase();
    return text === '' ? undefined : JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    // Positions matter in an array, so absent items stay as null placeholders.
    return `[${value.map((item) => serialize(item) ?? 'null').join(',')}]`;
  }
  // Explicit sorting: JSON.stringify would put integer-like keys first whatever the insertion order.
  const members = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const text = serialize(value[key]);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
  return members.length === 0 ? undefined : `{${members.join(',')}}`;
}

function copyExtraValue(value: unknown, path: string, depth: number, budget: { entries: number }): DeviceExtraValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return checkString(value, path);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} must be a finite number`);
    return value;
  }
  if (Array.isArray(value)) {
    checkDepth(path, depth);
    countEntries(value.length, budget);
    return value.map((item, index) => copyExtraValue(item, `${path}[${index}]`, depth + 1, budget));
  }
  if (isPlainObject(value)) {
    checkDepth(path, depth);
    return copyExtraObject(value, path, depth, budget);
  }
  throw invalid(`${path} must be a string, number, boolean, null, array or object`);
}

function copyExtraObject(
  value: Record<string, unknown>,
  path: string,
  depth: number,
  budget: { entries: number },
): Record<string, DeviceExtraValue> {
  const entries = Object.entries(value);
  countEntries(entries.length, budget);
  // fromEntries defines own properties, so a "__proto__" key stays plain data.
  return Object.fromEntries(
    entries.map(([key, item]) => [key, copyExtraValue(item, `${path}.${key}`, depth + 1, budget)]),
  );
}

function checkDepth(path: string, depth: number): void {
  if (depth > MAX_EXTRA_DEPTH) throw invalid(`${path} is nested deeper than ${MAX_EXTRA_DEPTH} levels`);
}

function countEntries(count: number, budget: { entries: number }): void {
  budget.entries += count;
  if (budget.entries > MAX_EXTRA_ENTRIES) {
    throw invalid(`"extra" holds more than ${MAX_EXTRA_ENTRIES} entries (object keys and array items)`);
  }
}

function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(`${path} must be a string`);
  if (value.length > MAX_COMPONENT_STRING_LENGTH) {
    throw invalid(`${path} is longer than ${MAX_COMPONENT_STRING_LENGTH} characters`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalid(message: string): RequestError {
  return new RequestError(400, 'invalid_device', message);
}
