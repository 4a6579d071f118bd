// Tenant → JetStream partition, and the names derived from a partition number. The mapping must
// never change for a running cluster: every tenant's entries live in exactly one partition stream.
import { requirePositiveInt, requireSeq } from './validate.js';

export const DEFAULT_PARTITIONS = 64;
/** Stream names and subject tokens are padded to two digits (PG_P07, pg.p07.>). */
const PARTITION_DIGITS = 2;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The partition holding `tenant`'s log: 32-bit FNV-1a over the tenant id's UTF-16 code units
 * (tenant ids are ASCII by the contract) mod `partitions`. The same hash as the service's
 * tenant → shard mapping (host/service/partition.ts), which the store layer may not import.
 */
export function partitionOf(tenant: string, partitions: number = DEFAULT_PARTITIONS): number {
  requirePositiveInt(partitions, 'partitions');
  let hash = FNV_OFFSET;
  for (let i = 0; i < tenant.length; i++) {
    hash ^= tenant.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return (hash >>> 0) % partitions;
}

function partitionToken(partition: number): string {
  requireSeq(partition, 'partition');
  return String(partition).padStart(PARTITION_DIGITS, '0');
}

/** `PG_P07`: the stream that holds partition 7. */
export function partitionStreamName(partition: number): string {
  return `PG_P${partitionToken(partition)}`;
}

/** `pg.p07`: every subject of partition 7 starts with this (the stream binds `pg.p07.>`). */
export function partitionSubjectPrefix(partition: number): string {
  return `pg.p${partitionToken(partition)}`;
}
