// Device identifiers: client-held UUIDs, UUIDs composed from a fingerprint, and UUIDs mapped from
// foreign analytics ids. All are UUIDv5 in a per-tenant namespace, so one tenant's ids reveal
// nothing about another's and the same input always gives the same device.
import { RequestError } from '../types.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { canonicalComponents, type DeviceComponents } from './device-components.js';
import { normalizeUuid, uuidV5 } from './uuid.js';

/** Root of every tenant namespace. Never change it: every composed device id derives from it. */
export const PROJECT_NAMESPACE = '5cd9116d-fe49-4acd-9547-9726ef052b8c';
/** Longest foreign device id mapToDeviceId accepts. */
export const MAX_FOREIGN_DEVICE_ID_LENGTH = 512;
// Distinct name prefixes keep the two kinds of derived id from ever sharing a name.
const FINGERPRINT_PREFIX = 'fingerprint:';
const FOREIGN_ID_PREFIX = 'foreign-id:';
// Every mapped analytics event derives its tenant's namespace: keep those of active tenants.
const NAMESPACE_CACHE_SIZE = 4096;
const namespaces = new BoundedCache<string, string>(NAMESPACE_CACHE_SIZE);

/** A UUID in any case (hyphenated) → its lower-case form; anything else → null. */
export function normalizeDeviceId(raw: string): string | null {
  return normalizeUuid(raw);
}

/** The namespace UUID under which a tenant's device ids are derived. */
export function tenantNamespace(tenant: string): string {
  let namespace = namespaces.get(tenant);
  if (namespace === undefined) {
    namespace = uuidV5(PROJECT_NAMESPACE, tenant);
    namespaces.set(tenant, namespace);
  }
  return namespace;
}

/** The device UUID for a fingerprint: the same components always give the same UUID in a tenant. */
export function composeDeviceId(tenant: string, components: DeviceComponents): string {
  return uuidV5(tenantNamespace(tenant), FINGERPRINT_PREFIX + canonicalComponents(components));
}

/**
 * The device UUID for a device id from an analytics client (Segment anonymousId, PostHog
 * $device_id, ...): a UUID is kept (normalized); any other value is mapped deterministically.
 * Foreign ids are opaque, so only surrounding whitespace is ignored, never case.
 */
export function mapToDeviceId(tenant: string, anyId: string): string {
  if (typeof anyId !== 'string') throw invalid('device id must be a string');
  const uuid = normalizeUuid(anyId);
  if (uuid !== null) return uuid;
  const id = anyId.trim();
  if (id === '') throw invalid('device id is empty');
  if (id.length > MAX_FOREIGN_DEVICE_ID_LENGTH) {
    throw invalid(`device id is longer than ${MAX_FOREIGN_DEVICE_ID_LENGTH} characters`);
  }
  return uuidV5(tenantNamespace(tenant), FOREIGN_ID_PREFIX + id);
}

function invalid(message: string): RequestError {
  return new RequestError(400, 'invalid_device', message);
}
