// Identifier types as the explorer shows them (one colour and shape per type, in the picture and
// in the lists alike), and how a search box entry is read.
import { h } from './dom.js';

export const IDENTIFIER_TYPES = ['email', 'phone', 'device', 'customer', 'subscriber'];

export const TYPE_LOOK = {
  email: { label: 'Email', color: '#2563eb', shape: 'ellipse' },
  phone: { label: 'Phone', color: '#16a34a', shape: 'diamond' },
  device: { label: 'Device', color: '#7c3aed', shape: 'round-rectangle' },
  customer: { label: 'Customer', color: '#ea580c', shape: 'hexagon' },
  subscriber: { label: 'Subscriber', color: '#0891b2', shape: 'tag' },
};

const PERSONA_ID = /^psn_[0-9a-f]{16}$/i;

/**
 * What to look a search entry up as: a persona id, or identifiers of the given type (any type
 * when `type` is 'any': the server normalizes each, and a value that is not valid for a type
 * simply matches nothing there, so "0888 123 456" finds the phone +359888123456).
 * @returns {{persona: string} | {identifiers: {type: string, value: string}[]}}
 */
export function searchPlan(text, type = 'any') {
  const value = text.trim();
  if (type === 'persona' || (type === 'any' && PERSONA_ID.test(value))) return { persona: value.toLowerCase() };
  const types = type === 'any' ? IDENTIFIER_TYPES : [type];
  return { identifiers: types.map((t) => ({ type: t, value })) };
}

/** A coloured chip naming an identifier type, e.g. "Phone". */
export function typeChip(type, text = TYPE_LOOK[type]?.label ?? type) {
  const chip = h('span', { class: 'chip type-chip' }, text);
  chip.style.setProperty('--type-color', TYPE_LOOK[type]?.color ?? '#64748b');
  return chip;
}

/** How many identifiers of each type, as chips: "2 devices" etc. (types with none left out). */
export function countChips(counts) {
  return IDENTIFIER_TYPES.filter((t) => counts[t] > 0).map((t) => typeChip(t, `${counts[t]} ${TYPE_LOOK[t].label.toLowerCase()}${counts[t] === 1 ? '' : 's'}`));
}

export function personaLink(id, text = id) {
  return h('a', { class: 'mono', href: `#/persona/${encodeURIComponent(id)}` }, text);
}
