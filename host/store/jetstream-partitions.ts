// Tenant → JetStream partition, and the names derived from a partition number. The mapping must
// never change for a running cluster: every tenant's entries live in exactly one partition stream.
import { requirePositiveInt, requireSeq } from './validate.js';
import { tenantHash } from './tenant-hash.js';

export const DEFAULT_PARTITIONS = 64;
/** Stream names and subject tokens are padded to two digits (PG_P07, pg.p07.>). */
const PARTITION_DIGITS = 2;
/** The partition holding `tenant`'s log: the same tenant hash as the embedded shards use. */
export function partitionOf(tenant: string, partitions: number = DEFAULT_PARTITIONS): number {
  requirePositiveInt(partitions, 'partitions');
  return tenantHash(tenant) % partitions;
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
