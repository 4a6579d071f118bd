// Analytics wire formats (Segment spec, PostHog) → contract events. Pure: no HTTP, no I/O.
export { decodeWireBody, DEFAULT_MAX_JSON_DEPTH, type DecodeOptions, type WireHeaders } from './body.js';
export { mapSegmentPayload, type SegmentMapOptions, type SegmentMapResult } from './segment.js';
export { SEGMENT_CALLS, type SegmentCall } from './segment-message.js';
export { mapPosthogPayload, type PosthogMapResult } from './posthog.js';
export { writeKeyFromBasicAuth } from './keys.js';
export { DEFAULT_MAX_BODY_BYTES, MAX_WIRE_EVENTS, SEGMENT_MAX_BATCH_BYTES, SEGMENT_MAX_EVENT_BYTES } from './limits.js';
export type { MappedEvent, SkippedItem, SkipReason, WireMapOptions, WireMapResult } from './types.js';
