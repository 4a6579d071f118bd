// Size and count limits of the analytics wire formats.

const KIB = 1024;
const MIB = 1024 * KIB;

/** Decompressed request body cap (the contract's default body limit); stops gzip bombs. */
export const DEFAULT_MAX_BODY_BYTES = 10 * MIB;
/** Events per request, as for the native events endpoint (`400 batch_too_large` above it). */
export const MAX_WIRE_EVENTS = 10_000;
/** Segment's documented per-message limit, measured on the message re-serialized as JSON. */
export const SEGMENT_MAX_EVENT_BYTES = 32 * KIB;
/** Segment's documented per-batch limit (`413` above it). */
export const SEGMENT_MAX_BATCH_BYTES = 500 * KIB;
