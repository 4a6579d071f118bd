// Shapes shared by the Segment and PostHog mappers.
import type { IncomingEvent, ItemError } from '../../types.js';

/** An event in the contract's shape (`POST /events`), ready for `graph.ingest`. */
export type MappedEvent = IncomingEvent;

export interface WireMapOptions {
  /** When the request arrived: the reference for clock-skew correction and the default event time. */
  receivedAt: Date;
  /**
   * Turns a raw device id from a client (Segment anonymousId, PostHog $device_id, ...) into the
   * device UUID. It may throw a RequestError for a value it refuses: that value is then dropped
   * from its event and reported with the error's code, and the rest of the event is kept.
   */
  mapDeviceId: (raw: string) => string;
}

/** Why an item that was understood produced no event (not an error: the client did nothing wrong). */
export type SkipReason =
  /** A Segment alias whose previousId equals its userId (analytics.js sends these after identify). */
  | 'self_alias'
  /** A PostHog `$groupidentify`: it describes a company or other group, never a person. */
  | 'group_event';

export interface SkippedItem {
  index: number;
  reason: SkipReason;
}

export interface WireMapResult {
  events: MappedEvent[];
  /** `eventIndexes[i]` is the position in the request of `events[i]` (to report ingest errors). */
  eventIndexes: number[];
  /** Rejected items and dropped values; `index` is the position in the request, `field` the wire field. */
  errors: ItemError[];
  skipped: SkippedItem[];
}
