// What every log implementation does first with the items of an append: check them and serialize
// their bodies once, so a bad body is reported before anything is written or sent.
import type { LogItem, SerializedItems } from './types.js';
import { requireNonEmptyString, toJson } from './validate.js';

export interface PreparedItems {
  ids: (string | undefined)[];
  bodies: unknown[];
  /** JSON array of all bodies, in order. */
  bodiesJson: string;
}

export function prepareItems(items: LogItem[]): PreparedItems {
  const ids = new Array<string | undefined>(items.length);
  const bodies = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'object' || item === null) throw new TypeError(`items[${i}] must be an object { id?, body }`);
    if (item.id !== undefined) requireNonEmptyString(item.id, `items[${i}].id`);
    if (item.body === undefined) throw new TypeError(`items[${i}].body is missing`);
    // Inside an array JSON.stringify would quietly turn these into null.
    if (typeof item.body === 'function' || typeof item.body === 'symbol') {
      throw new TypeError(`items[${i}].body is not JSON-serializable (${typeof item.body})`);
    }
    ids[i] = item.id;
    bodies[i] = item.body;
  }
  return { ids, bodies, bodiesJson: serializeBodies(bodies) };
}

/** Items whose bodies' JSON the caller serialized, as UTF-8 bytes; their bodies are asked for only when needed. */
export type PreparedSerialized = Omit<PreparedItems, 'bodies' | 'bodiesJson'> & { bodies: () => unknown[]; bodiesJson: Uint8Array };

/** Serialized items, checked the same way (their JSON is the caller's: it is stored as it is). */
export function prepareSerialized({ ids, bodies, json }: SerializedItems): PreparedSerialized {
  if (!Array.isArray(ids) || typeof bodies !== 'function') throw new TypeError('serialized items need their ids and a function giving their bodies');
  if (!(json instanceof Uint8Array)) throw new TypeError('serialized items need their JSON as UTF-8 bytes');
  for (let i = 0; i < ids.length; i++) if (ids[i] !== undefined) requireNonEmptyString(ids[i], `items[${i}].id`);
  return { ids, bodies: () => {
    const given = bodies();
    if (!Array.isArray(given) || given.length !== ids.length) throw new TypeError('serialized items need as many ids as bodies');
    return given;
  }, bodiesJson: json };
}

function serializeBodies(bodies: unknown[]): string {
  try {
    return JSON.stringify(bodies);
  } catch {
    bodies.forEach((body, i) => toJson(body, `items[${i}].body`));
    throw new TypeError('items are not JSON-serializable');
  }
}
