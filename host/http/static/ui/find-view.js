// Find: one box for any identifier (email, phone in any spelling, device, customer, subscriber)
// or a persona id. Each persona found is listed with what matched; a persona id opens directly.
import { h, fill, timeElement } from './dom.js';
import { IDENTIFIER_TYPES, TYPE_LOOK, searchPlan, typeChip, countChips } from './identifiers.js';

const TYPE_OPTIONS = [['any', 'Any identifier'], ...IDENTIFIER_TYPES.map((t) => [t, TYPE_LOOK[t].label]), ['persona', 'Persona id']];

export function renderFind(container, context, route) {
  const query = route.query.get('q') ?? '';
  const chosenType = TYPE_OPTIONS.some(([value]) => value === route.query.get('type')) ? route.query.get('type') : 'any';
  const input = h('input', { type: 'search', name: 'q', value: query, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    placeholder: 'email, phone, device, customer or subscriber id, or psn_…', 'aria-label': 'Search for' });
  const type = h('select', { name: 'type', 'aria-label': 'Look up as' },
    TYPE_OPTIONS.map(([value, label]) => h('option', { value, selected: value === chosenType }, label)));
  const results = h('section', { class: 'results', 'aria-live': 'polite' });
  const form = h('form', { class: 'card search', role: 'search' },
    h('h1', {}, 'Find a persona'),
    h('div', { class: 'search-row' }, type, input, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '') {
      fill(results, h('p', { class: 'card muted' }, 'Type an email, a phone number, a device, customer or subscriber id, or a persona id.'));
      return;
    }
    const hash = `#/find?${new URLSearchParams({ q: text, type: type.value })}`;
    if (location.hash === hash) search(text, type.value, results, context);
    else context.navigate(hash);
  });
  container.append(form, results);
  if (query) search(query, chosenType, results, context);
  else input.focus();
}

async function search(text, type, results, context) {
  const plan = searchPlan(text, type);
  if (plan.persona) {
    context.navigate(`#/persona/${encodeURIComponent(plan.persona)}`);
    return;
  }
  fill(results, h('p', { class: 'muted' }, 'Searching…'));
  try {
    const ids = await context.api.resolveMany(plan.identifiers);
    const matches = new Map(); // persona id → the identifier types the entry matched as
    ids.forEach((id, i) => {
      if (id) matches.set(id, [...(matches.get(id) ?? []), plan.identifiers[i].type]);
    });
    const personas = await Promise.all([...matches.keys()].map((id) => context.api.persona(id)));
    if (!context.active()) return;
    const found = personas.filter(Boolean);
    if (found.length === 0) {
      fill(results, h('div', { class: 'card empty' },
        h('p', {}, 'No persona holds ', h('strong', {}, text), type === 'any' ? ' as any identifier.' : ` as a ${TYPE_LOOK[type].label.toLowerCase()}.`),
        h('p', { class: 'muted small' }, 'Phone numbers without a country code are read with the tenant\'s default country.')));
      return;
    }
    fill(results,
      h('p', { class: 'muted' }, found.length === 1 ? '1 persona found' : `${found.length} personas found`),
      found.map((persona) => resultCard(persona, matches.get(persona.id) ?? [])));
  } catch (error) {
    fill(results);
    context.fail(error, 'Search');
  }
}

function resultCard(persona, matchedAs) {
  return h('a', { class: 'card result', href: `#/persona/${encodeURIComponent(persona.id)}` },
    h('div', { class: 'result-head' },
      h('span', { class: 'mono strong' }, persona.id),
      h('span', { class: 'muted small' }, 'matched as ', matchedAs.map((t) => typeChip(t)))),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Email'), h('dd', {}, persona.email ?? '—'),
      h('dt', {}, 'Phone'), h('dd', {}, persona.phone ?? '—'),
      h('dt', {}, 'Last seen'), h('dd', {}, timeElement(persona.updatedAt))),
    h('div', { class: 'chips' }, countChips(persona.counts)));
}
