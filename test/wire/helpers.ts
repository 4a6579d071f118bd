// Shared test doubles and a compact view of mapper results.
import { RequestError, type IdentifierType } from '../../host/types.js';
import type { MappedEvent, SkipReason, WireMapResult } from '../../host/http/wire/index.js';

/** Stands in for the lead's UUID mapper; the marker shows which raw values were taken as devices. */
export const device = (raw: string): string => `device(${raw})`;

export const RECEIVED_AT = new Date('2026-03-01T10:00:00.000Z');
export const OPTS = { receivedAt: RECEIVED_AT, mapDeviceId: device };

export type Ids = Partial<Record<IdentifierType, string | string[]>>;
export type ItemView =
  | { type: string; identifiers: Ids }
  | { skipped: SkipReason }
  | { errors: { field: string; code: string }[] };

export const ev = (type: string, identifiers: Ids): ItemView => ({ type, identifiers });
export const skip = (reason: SkipReason): ItemView => ({ skipped: reason });
export const err = (...errors: [field: string, code: string][]): ItemView => ({
  errors: errors.map(([field, code]) => ({ field, code })),
});

/**
 * What each request item became, in request order: an event (type and identifiers), a skip, or
 * its errors. Dropped-value errors of an item that still produced an event are left out: assert
 * those on `result.errors` directly.
 */
export function itemViews(result: WireMapResult): ItemView[] {
  const views = new Map<number, ItemView>();
  result.events.forEach((event, i) => views.set(result.eventIndexes[i], { type: String(event.type), identifiers: event.identifiers ?? {} }));
  for (const { index, reason } of result.skipped) views.set(index, { skipped: reason });
  for (const { index, field, error } of result.errors) {
    const view = views.get(index);
    if (view === undefined) views.set(index, { errors: [{ field, code: error.code }] });
    else if ('errors' in view) view.errors.push({ field, code: error.code });
  }
  const count = Math.max(-1, ...views.keys()) + 1;
  return Array.from({ length: count }, (_, index) => {
    const view = views.get(index);
    if (view === undefined) throw new Error(`item ${index} has no outcome`);
    return view;
  });
}

/** The single event of a one-event result. */
export function onlyEvent(result: WireMapResult): MappedEvent {
  if (result.events.length !== 1) throw new Error(`expected one event, got ${JSON.stringify(result)}`);
  return result.events[0];
}

/** The RequestError `run` throws (any other outcome fails the test). */
export function requestError(run: () => unknown): RequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('expected a RequestError');
}
