// The on-disk layout of one snapshot file: a fixed header, then the body.
//
//   offset size  field
//    0      4    magic "PGSN"
//    4      4    format version (u32 LE)
//    8      4    shard (u32 LE)
//   12      4    CRC-32 of the body (u32 LE)
//   16      8    seq: last log entry the body covers (u64 LE)
//   24      8    body length in bytes (u64 LE)
//   32      4    CRC-32 of bytes 0..31 (u32 LE), so a damaged seq or length is caught too
//   36      ...  body
import { crc32 } from 'node:zlib';
import { requireArray, requireSeq } from './validate.js';

const MAGIC = Buffer.from('PGSN', 'latin1');
const FORMAT_VERSION = 1;
export const HEADER_SIZE = 36;
const HEADER_CRC_OFFSET = 32;

export interface SnapshotHeader {
  shard: number;
  seq: number;
  length: number;
  bodyCrc: number;
}

/** CRC-32 over the body given as one or several chunks. */
export function crcOfChunks(chunks: readonly Uint8Array[]): number {
  let crc = 0;
  for (const chunk of chunks) crc = crc32(chunk, crc);
  return crc;
}

export function encodeHeader(header: SnapshotHeader): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(header.shard, 8);
  buf.writeUInt32LE(header.bodyCrc, 12);
  buf.writeBigUInt64LE(BigInt(header.seq), 16);
  buf.writeBigUInt64LE(BigInt(header.length), 24);
  buf.writeUInt32LE(crc32(buf.subarray(0, HEADER_CRC_OFFSET)), HEADER_CRC_OFFSET);
  return buf;
}

/**
 * The header at the start of `file` after checking everything it promises about itself, including
 * that it is the header of `expected.shard` at `expected.seq`, and that the body that follows is
 * `bodyBytes` long. Throws an Error saying what is wrong.
 */
export function verifyHeader(file: Uint8Array, bodyBytes: number, expected: { shard: number; seq: number }): SnapshotHeader {
  if (file.length < HEADER_SIZE) throw new Error(`truncated header (${file.length} bytes)`);
  const header = Buffer.from(file.buffer, file.byteOffset, HEADER_SIZE);
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
  const version = header.readUInt32LE(4);
  if (version !== FORMAT_VERSION) throw new Error(`unknown format version ${version}`);
  if (header.readUInt32LE(HEADER_CRC_OFFSET) !== crc32(header.subarray(0, HEADER_CRC_OFFSET))) {
    throw new Error('header checksum mismatch');
  }
  const shard = header.readUInt32LE(8);
  const seq = Number(header.readBigUInt64LE(16));
  if (shard !== expected.shard || seq !== expected.seq) {
    throw new Error(`header says shard ${shard} seq ${seq}, file name says shard ${expected.shard} seq ${expected.seq}`);
  }
  const length = Number(header.readBigUInt64LE(24));
  if (bodyBytes !== length) throw new Error(`body is ${bodyBytes} bytes, header says ${length}`);
  return { shard, seq, length, bodyCrc: header.readUInt32LE(12) };
}

/** Throws unless `crc` (of the body as read) is the one the header promises. */
export function verifyBodyCrc(header: SnapshotHeader, crc: number): void {
  if (crc !== header.bodyCrc) throw new Error('body checksum mismatch');
}

/**
 * The body of a whole snapshot file after checking everything the header promises, including
 * that it is the snapshot of `expected.shard` at `expected.seq`. Throws an Error saying what is wrong.
 */
export function verifySnapshot(file: Buffer, expected: { shard: number; seq: number }): Buffer {
  const header = verifyHeader(file, Math.max(file.length - HEADER_SIZE, 0), expected);
  const body = file.subarray(HEADER_SIZE);
  verifyBodyCrc(header, crc32(body));
  return body;
}

const MAX_SHARD = 0xffff_ffff;

/** Checks save() arguments shared by every snapshot store; returns the body as a list of chunks. */
export function checkSnapshotArgs(shard: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  requireShard(shard);
  requireSeq(seq, 'seq');
  const chunks = bytes instanceof Uint8Array ? [bytes] : bytes;
  requireArray(chunks, 'snapshot bytes');
  chunks.forEach((chunk, i) => {
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`snapshot bytes[${i}] must be a Uint8Array`);
  });
  return chunks;
}

export function requireShard(shard: number): void {
  if (!Number.isInteger(shard) || shard < 0 || shard > MAX_SHARD) {
    throw new RangeError(`shard must be an integer from 0 to ${MAX_SHARD}, got ${String(shard)}`);
  }
}
