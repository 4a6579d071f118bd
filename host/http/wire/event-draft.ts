// Building one mapped event from one wire item: identifiers are collected (device ids mapped to
// UUIDs, duplicates dropped), unusable values are reported, and schema violations reject the item.
import { RequestError, type IdentifierType } from '../../types.js';
import { readId, readText, WRONG_TYPE } from './json.js';
import { parseWireTime, toIsoTime } from './time.js';
import type { MappedEvent, SkipReason } from './types.js';

/** A problem with one field of one item; `field` names the wire field (`userId`, `properties.alias`). */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** What one wire item turned into. */
export type ItemOutcome =
  | { kind: 'event'; event: MappedEvent; dropped: FieldProblem[] }
  | { kind: 'rejected'; problems: FieldProblem[] }
  | { kind: 'skipped'; reason: SkipReason };

export function rejected(field: string, code: string, message: string): ItemOutcome {
  return { kind: 'rejected', problems: [{ field, code, message }] };
}

export interface DraftFields {
  id?: string;
  type: string;
  timestamp: string;
  traits?: Record<string, unknown>;
}

export class EventDraft {
  private readonly identifiers = new Map<IdentifierType, string[]>();
  private readonly dropped: FieldProblem[] = [];
  private problem: FieldProblem | undefined;

  constructor(private readonly mapDeviceId: (raw: string) => string) {}

  /** An id the format defines (userId, distinct_id): a value of the wrong type rejects the item. */
  addId(type: IdentifierType, value: unknown, field: string): void {
    const id = readId(value);
    if (id === WRONG_TYPE) this.reject(field, 'invalid_field', `${field} must be a string`);
    else if (id !== undefined) this.add(type, id, field);
  }

  /**
   * An id found in free-form data (traits, context, properties), where a key such as `email` may
   * hold anything: values of other types are ignored. Email and phone must be strings.
   */
  addLooseId(type: IdentifierType, value: unknown, field: string): void {
    const id = type === 'email' || type === 'phone' ? readText(value) : readId(value);
    if (id !== undefined && id !== WRONG_TYPE) this.add(type, id, field);
  }

  /** A time field in ms from the epoch; an unparseable value rejects the item. */
  readTime(value: unknown, field: string): number | undefined {
    const ms = parseWireTime(value);
    if (ms !== WRONG_TYPE) return ms;
    this.reject(field, 'invalid_timestamp', `${field} must be an ISO-8601 date-time`);
    return undefined;
  }

  /** The event time as ISO; one that skew arithmetic pushed out of a Date's range rejects the item. */
  isoTime(ms: number, fallback: Date): string {
    const iso = toIsoTime(ms);
    if (iso !== undefined) return iso;
    this.reject('timestamp', 'invalid_timestamp', 'the clock-skew corrected event time is out of range');
    return fallback.toISOString();
  }

  /** Rejects the whole item; the first problem recorded is the one reported. */
  reject(field: string, code: string, message: string): void {
    this.problem ??= { field, code, message };
  }

  finish(fields: DraftFields): ItemOutcome {
    if (this.problem !== undefined) return { kind: 'rejected', problems: [this.problem] };
    if (this.identifiers.size === 0) {
      const none = { field: 'identifiers', code: 'no_identifiers', message: 'the event carries no usable identifier' };
      return { kind: 'rejected', problems: [...this.dropped, none] };
    }
    const identifiers: MappedEvent['identifiers'] = {};
    for (const [type, values] of this.identifiers) identifiers[type] = values.length === 1 ? values[0] : values;
    const event: MappedEvent = {
      ...(fields.id === undefined ? {} : { id: fields.id }),
      type: fields.type,
      timestamp: fields.timestamp,
      identifiers,
      ...(fields.traits === undefined ? {} : { traits: fields.traits }),
    };
    return { kind: 'event', event, dropped: this.dropped };
  }

  private add(type: IdentifierType, raw: string, field: string): void {
    let value = raw;
    if (type === 'device') {
      try {
        value = this.mapDeviceId(raw);
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        this.dropped.push({ field, code: error.code, message: error.message });
        return;
      }
    }
    const values = this.identifiers.get(type);
    if (values === undefined) this.identifiers.set(type, [value]);
    else if (!values.includes(value)) values.push(value);
  }
}
