// Canonical keys of emitted identifier values, shared by the ground truth (over drafts) and the
// reference lines (over emitted events), so both read an event's identifiers the same way.
import type { IdentifierType } from '../../host/types.js';
import { identifierKey } from './normalize.js';
import type { CanonicalKeys } from './types.js';

export interface KeyedIdentifier {
  type: IdentifierType;
  key: string;
}

type KeyLookup = (type: IdentifierType, raw: string) => string | null;

/** The canonical keys of an event's identifiers and link-click recipient; invalid values left out. */
export function eventIdentifierKeys(
  keyOf: KeyLookup,
  identifiers: Partial<Record<IdentifierType, string>>,
  recipientSubscriber: string | undefined,
): KeyedIdentifier[] {
  const out: KeyedIdentifier[] = [];
  for (const type in identifiers) {
    const key = keyOf(type as IdentifierType, identifiers[type as IdentifierType]!);
    if (key !== null) out.push({ type: type as IdentifierType, key });
  }
  if (recipientSubscriber !== undefined) {
    const key = keyOf('subscriber', recipientSubscriber);
    if (key !== null) out.push({ type: 'subscriber', key });
  }
  return out;
}

/** Records the canonical key of every value it is asked about (memoized per type). */
export class KeyTable {
  readonly keys: CanonicalKeys = { email: new Map(), phone: new Map(), device: new Map(), customer: new Map(), subscriber: new Map() };

  readonly keyOf: KeyLookup = (type, raw) => {
    const known = this.keys[type];
    let key = known.get(raw);
    if (key === undefined) {
      key = identifierKey(type, raw);
      known.set(raw, key);
    }
    return key;
  };
}
