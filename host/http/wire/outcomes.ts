// Per-item outcomes → the mapper result, with every error indexed by its position in the request.
import type { ItemOutcome } from './event-draft.js';
import type { WireMapResult } from './types.js';

export function collectOutcomes(outcomes: ItemOutcome[]): WireMapResult {
  const result: WireMapResult = { events: [], eventIndexes: [], errors: [], skipped: [] };
  outcomes.forEach((outcome, index) => {
    switch (outcome.kind) {
      case 'event':
        result.events.push(outcome.event);
        result.eventIndexes.push(index);
        for (const { field, code, message } of outcome.dropped) result.errors.push({ index, field, error: { code, message } });
        break;
      case 'rejected':
        for (const { field, code, message } of outcome.problems) result.errors.push({ index, field, error: { code, message } });
        break;
      case 'skipped':
        result.skipped.push({ index, reason: outcome.reason });
        break;
    }
  });
  return result;
}
