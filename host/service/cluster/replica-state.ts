// The side tables of one partition replica that the graph engine's snapshot does not hold:
// campaign claims, the change feed and the erasure list (per-tenant salt + salted hashes). They
// are rebuilt from the partition's log (claim and erase entries; changes by applying entries) and
// saved with every snapshot, so a log purged through a snapshot loses none of them.
import { createHash, randomBytes } from 'node:crypto';
import type { ChangeRecord, ChangeStore, ClaimStore, ErasureStore } from '../../store/index.js';

/** Cursor = seq * CURSOR_SCALE + position, as in the embedded change table: the same on every owner. */
const CURSOR_SCALE = 1_000_000;
const SALT_BYTES = 32;

/** Claimed keys per (tenant, campaign), stored as short hashes: no personal data in the log. */
export class ClaimLedger implements ClaimStore {
  private readonly claimed = new Map<string, Set<string>>();
  /** Keys added since `startRecording`, so a claim whose log append fails can be undone. */
  private recorded: { tenant: string; campaign: string; key: string }[] | null = null;

  claim(tenant: string, campaign: string, personaKeys: string[][]): boolean[] {
    const set = this.setOf(tenant, campaign);
    return personaKeys.map((keys) => {
      const hashed = keys.map(claimKeyHash);
      const fresh = hashed.every((k) => !set.has(k));
      for (const k of hashed) {
        if (set.has(k)) continue;
        set.add(k);
        this.recorded?.push({ tenant, campaign, key: k });
      }
      return fresh;
    });
  }

  /** Applies a logged claim entry (hashes already). */
  record(tenant: string, campaign: string, hashedKeys: readonly string[]): void {
    const set = this.setOf(tenant, campaign);
    for (const k of hashedKeys) set.add(k);
  }

  startRecording(): void {
    this.recorded = [];
  }

  /** The keys added since `startRecording`, per campaign; stops recording. */
  takeRecorded(): Map<string, string[]> {
    const byCampaign = new Map<string, string[]>();
    for (const { campaign, key } of this.recorded ?? []) byCampaign.set(campaign, [...(byCampaign.get(campaign) ?? []), key]);
    this.recorded = null;
    return byCampaign;
  }

  /** Forgets the keys added since `startRecording` (the claim failed before its log append). */
  undoRecorded(): void {
    for (const { tenant, campaign, key } of this.recorded ?? []) this.claimed.get(slot(tenant, campaign))?.delete(key);
    this.recorded = null;
  }

  /** Forgets claimed key hashes whose log append failed. */
  forget(tenant: string, campaign: string, hashedKeys: readonly string[]): void {
    const set = this.claimed.get(slot(tenant, campaign));
    for (const k of hashedKeys) set?.delete(k);
  }

  private setOf(tenant: string, campaign: string): Set<string> {
    let set = this.claimed.get(slot(tenant, campaign));
    if (!set) {
      set = new Set();
      this.claimed.set(slot(tenant, campaign), set);
    }
    return set;
  }

  toJSON(): [string, string[]][] {
    return [...this.claimed].map(([k, set]) => [k, [...set]]);
  }

  load(saved: [string, string[]][]): void {
    for (const [k, keys] of saved) this.claimed.set(k, new Set(keys));
  }
}

export class ChangeFeed implements ChangeStore {
  private readonly byTenant = new Map<string, { cursor: number; change: unknown }[]>();

  record(tenant: string, seq: number, changes: unknown[]): void {
    const list = this.byTenant.get(tenant) ?? [];
    if (list.length > 0 && list[list.length - 1].cursor >= seq * CURSOR_SCALE) return; // replayed
    changes.forEach((change, pos) => list.push({ cursor: seq * CURSOR_SCALE + pos, change }));
    this.byTenant.set(tenant, list);
  }

  lastSeqs(): Map<string, number> {
    return new Map([...this.byTenant].map(([t, list]) => [t, Math.floor(list[list.length - 1].cursor / CURSOR_SCALE)]));
  }

  since(tenant: string, cursor: number, limit: number): ChangeRecord[] {
    const list = this.byTenant.get(tenant) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].cursor <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(lo, lo + limit).map((r) => ({ cursor: r.cursor, change: r.change }));
  }

  toJSON(): [string, { cursor: number; change: unknown }[]][] {
    return [...this.byTenant];
  }

  load(saved: [string, { cursor: number; change: unknown }[]][]): void {
    for (const [t, list] of saved) this.byTenant.set(t, list);
  }
}

export class ErasureList implements ErasureStore {
  private readonly salts = new Map<string, Buffer>();
  private readonly erased = new Map<string, Set<string>>();

  recordErased(tenant: string, type: string, valueHashes: string[]): void {
    const set = this.erased.get(tenant) ?? new Set();
    for (const h of valueHashes) set.add(`${type}:${h}`);
    this.erased.set(tenant, set);
  }

  isErased(tenant: string, type: string, valueHash: string): boolean {
    return this.erased.get(tenant)?.has(`${type}:${valueHash}`) === true;
  }

  hasErased(tenant: string): boolean {
    return (this.erased.get(tenant)?.size ?? 0) > 0;
  }

  erasedSalt(tenant: string): Buffer {
    let salt = this.salts.get(tenant);
    if (!salt) {
      salt = randomBytes(SALT_BYTES);
      this.salts.set(tenant, salt);
    }
    return salt;
  }

  /** The salt an erase entry carries: the first owner's, the same for every later one. */
  adoptSalt(tenant: string, salt: Buffer): void {
    this.salts.set(tenant, salt);
  }

  toJSON(): { salts: [string, string][]; erased: [string, string[]][] } {
    return {
      salts: [...this.salts].map(([t, s]) => [t, s.toString('base64')]),
      erased: [...this.erased].map(([t, set]) => [t, [...set]]),
    };
  }

  load(saved: { salts: [string, string][]; erased: [string, string[]][] }): void {
    for (const [t, s] of saved.salts) this.salts.set(t, Buffer.from(s, 'base64'));
    for (const [t, list] of saved.erased) this.erased.set(t, new Set(list));
  }
}

export class ReplicaState {
  readonly claims = new ClaimLedger();
  readonly changes = new ChangeFeed();
  readonly erasure = new ErasureList();

  encode(): Buffer {
    return Buffer.from(JSON.stringify({ claims: this.claims, changes: this.changes, erasure: this.erasure }), 'utf8');
  }

  static decode(bytes: Buffer | null): ReplicaState {
    const state = new ReplicaState();
    if (bytes === null) return state;
    const saved = JSON.parse(bytes.toString('utf8')) as { claims: [string, string[]][]; changes: [string, { cursor: number; change: unknown }[]][]; erasure: Parameters<ErasureList['load']>[0] };
    state.claims.load(saved.claims);
    state.changes.load(saved.changes);
    state.erasure.load(saved.erasure);
    return state;
  }
}

/** 16 bytes of SHA-256, base64url (22 characters). */
export function claimKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest().subarray(0, 16).toString('base64url');
}

function slot(tenant: string, campaign: string): string {
  return `${tenant}\0${campaign}`;
}

// A partition snapshot is the engine's bytes followed by the side tables and a trailer:
//   [shard bytes][state JSON][u32 state length][8-byte magic]
// Snapshots written before the side tables existed have no trailer: all shard bytes, empty state.
const MAGIC = Buffer.from('PGSTATE1', 'ascii');
const LENGTH_BYTES = 4;

export function encodeSnapshot(shard: Uint8Array, state: ReplicaState): Buffer[] {
  const side = state.encode();
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(side.length);
  return [Buffer.from(shard.buffer, shard.byteOffset, shard.byteLength), side, length, MAGIC];
}

export function decodeSnapshot(bytes: Buffer): { shard: Buffer; state: ReplicaState } {
  const tail = bytes.length - MAGIC.length;
  if (tail < LENGTH_BYTES || !bytes.subarray(tail).equals(MAGIC)) return { shard: bytes, state: new ReplicaState() };
  const length = bytes.readUInt32BE(tail - LENGTH_BYTES);
  const sideStart = tail - LENGTH_BYTES - length;
  return { shard: bytes.subarray(0, sideStart), state: ReplicaState.decode(bytes.subarray(sideStart, tail - LENGTH_BYTES)) };
}
