// Argument checks at the store boundary: a bad argument is a caller bug, reported with a message
// that names the argument, before anything is written.

/** The contract's tenant id rule (also safe as a file name or a JetStream subject token). */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function requireTenant(tenant: unknown): asserts tenant is string {
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    throw new RangeError(`tenant must match ${TENANT_PATTERN}, got ${JSON.stringify(tenant)}`);
  }
}

export function requireNonEmptyString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}`);
  }
}

export function requireArray(value: unknown, name: string): asserts value is unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${describe(value)}`);
}

/** A log sequence number or position: an integer >= 0. */
export function requireSeq(value: unknown, name: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new RangeError(`${name} must be an integer >= 0, got ${describe(value)}`);
  }
}

export function requirePositiveInt(value: unknown, name: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${describe(value)}`);
  }
}

/** JSON text of `value`, or a TypeError naming `name` when it has no JSON form. */
export function toJson(value: unknown, name: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`${name} is not JSON-serializable: ${(err as Error).message}`);
  }
  if (json === undefined) throw new TypeError(`${name} is not JSON-serializable (${describe(value)})`);
  return json;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
