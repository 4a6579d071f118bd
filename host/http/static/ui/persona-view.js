// One persona: its latest email and phone, its identifiers by type with first and last seen, and
// the picture of its graph, from which identifiers or links can be split off; GDPR erase.
import { h, timeElement, plural } from './dom.js';
import { IDENTIFIER_TYPES, TYPE_LOOK, typeChip, countChips, personaLink } from './identifiers.js';
import { STRENGTH_TEXT, decisionText, isRefused } from './evidence.js';
import { drawPicture } from './persona-picture.js';
import { confirmAction } from './dialog.js';
import { showNotice } from './alerts.js';

const ERASE_WORD = 'erase';

export async function renderPersona(container, context, route) {
  const asked = route.arg;
  const [persona, graph] = await Promise.all([context.api.persona(asked), context.api.graph(asked)]);
  if (!context.active()) return;
  if (!persona || !graph) {
    container.append(h('div', { class: 'card empty' },
      h('h1', {}, 'No such persona'),
      h('p', {}, h('span', { class: 'mono' }, asked), ' is not a persona of this tenant, or all of its identifiers were erased.'),
      h('p', {}, h('a', { href: '#/find' }, 'Find a persona'))));
    return;
  }
  if (persona.id !== asked) {
    // an alias: show the surviving persona under its own address
    history.replaceState(null, '', `#/persona/${encodeURIComponent(persona.id)}`);
    showNotice(`${asked} was merged into ${persona.id}: showing the surviving persona.`);
  }

  const flags = new Map(graph.nodes.map((n) => [`${n.type}:${n.value}`, n]));
  const seen = new Map(persona.identifiers.map((i) => [`${i.type}:${i.value}`, i]));
  const pictureArea = h('div', { class: 'picture' });
  const splitButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Split off selected');
  const clearButton = h('button', { type: 'button', disabled: true }, 'Clear selection');
  const fitButton = h('button', { type: 'button' }, 'Fit');
  const selectionHint = h('span', { class: 'muted small' }, 'Tap identifiers or links to select them',
    h('span', { class: 'with-mouse' }, ' (shift-drag selects an area)'), '.');

  if (context.state.split) container.append(splitResultCard(context.state.split));
  container.append(
    h('div', { class: 'persona-layout' },
      summaryCard(persona, context),
      h('section', { class: 'card picture-card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Graph'), h('div', { class: 'toolbar' }, splitButton, clearButton, fitButton)),
        selectionHint,
        pictureArea,
        legend(),
        refusedLinks(graph)),
      identifiersCard(persona, flags)));

  const picture = drawPicture(pictureArea, graph, {
    seen,
    onSelect() {
      const { identifiers, edges } = picture.selection();
      const count = identifiers.length + edges.length;
      splitButton.disabled = count === 0;
      clearButton.disabled = count === 0;
      splitButton.textContent = count === 0 ? 'Split off selected' : `Split off ${describeCut(identifiers, edges)}`;
    },
  });
  window.explorer.picture = picture.cy;
  context.onDispose(() => {
    picture.destroy();
    window.explorer.picture = null;
  });
  clearButton.addEventListener('click', () => picture.clearSelection());
  fitButton.addEventListener('click', () => picture.fit());
  splitButton.addEventListener('click', () => split(persona, picture.selection(), context));
}

function describeCut(identifiers, edges) {
  return [identifiers.length > 0 && plural(identifiers.length, 'identifier'), edges.length > 0 && plural(edges.length, 'link')]
    .filter(Boolean).join(' and ');
}

function summaryCard(persona, context) {
  const erase = h('button', { type: 'button', class: 'danger' }, 'Erase persona (GDPR)…');
  erase.addEventListener('click', () => erasePersona(persona, context));
  return h('section', { class: 'card summary' },
    h('h1', { class: 'mono persona-id' }, persona.id),
    persona.aliases.length > 0 && h('p', { class: 'small muted' }, 'also known as ', persona.aliases.map((a, i) => [i > 0 && ', ', h('span', { class: 'mono' }, a)])),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Email'), h('dd', { 'data-testid': 'latest-email' }, persona.email ?? '—'),
      h('dt', {}, 'Phone'), h('dd', { 'data-testid': 'latest-phone' }, persona.phone ?? '—'),
      h('dt', {}, 'Created'), h('dd', {}, timeElement(persona.createdAt)),
      h('dt', {}, 'Updated'), h('dd', {}, timeElement(persona.updatedAt))),
    h('div', { class: 'chips' }, countChips(persona.counts)),
    h('div', { class: 'actions' }, erase));
}

function identifiersCard(persona, flags) {
  const groups = IDENTIFIER_TYPES.map((type) => [type, persona.identifiers.filter((i) => i.type === type)]).filter(([, list]) => list.length > 0);
  return h('section', { class: 'card identifiers' },
    h('h2', {}, 'Identifiers'),
    groups.map(([type, list]) => h('div', { class: 'id-group' },
      h('h3', {}, typeChip(type, `${TYPE_LOOK[type].label} (${list.length})`)),
      h('ul', { class: 'plain id-list' }, list.map((identifier) => {
        const flag = flags.get(`${identifier.type}:${identifier.value}`);
        return h('li', { 'data-identifier': `${identifier.type}:${identifier.value}` },
          h('div', { class: 'mono value' }, identifier.value,
            flag?.shared && h('span', { class: 'badge warn' }, 'shared'),
            flag?.blocked && h('span', { class: 'badge bad' }, 'blocked')),
          h('div', { class: 'small muted seen' }, h('span', {}, 'first seen ', timeElement(identifier.firstSeen)), h('span', {}, 'last seen ', timeElement(identifier.lastSeen))));
      })))));
}

function legend() {
  const swatch = (cls, text) => h('span', { class: `legend-item ${cls}` }, h('i', {}), text);
  return h('div', { class: 'legend' },
    IDENTIFIER_TYPES.map((t) => typeChip(t)),
    swatch('line strong', 'strong'), swatch('line medium', 'medium'), swatch('line weak', 'weak evidence'),
    swatch('line refused', 'refused'), swatch('line ignored', 'not joined (shared/blocked)'),
    swatch('ring shared', 'shared'), swatch('ring blocked', 'blocked'));
}

/** Links from this persona that do not join: refused or ignored by the rules, or cut by a split. */
function refusedLinks(graph) {
  const refused = graph.edges.filter(isRefused);
  if (refused.length === 0) return null;
  const name = (node) => [typeChip(node.type), ' ', h('span', { class: 'mono' }, node.value)];
  return h('div', { class: 'refused-links' },
    h('h3', {}, `Links not joined (${refused.length})`),
    h('ul', { class: 'plain' }, refused.map((edge) => h('li', {},
      name(graph.nodes[edge.from]), ' – ', name(graph.nodes[edge.to]),
      h('div', { class: 'small muted' }, `${STRENGTH_TEXT[edge.strength] ?? edge.strength}, ${decisionText(edge.decision)}; event `,
        h('span', { class: 'mono' }, edge.eventId ?? '(no id)'), ' at ', timeElement(edge.timestamp))))));
}

async function split(persona, cut, context) {
  const what = describeCut(cut.identifiers, cut.edges);
  const ok = await confirmAction({
    title: `Split ${persona.id}?`,
    body: [h('p', {}, `Splitting off ${what}. The persona is then re-formed from the evidence that is left.`),
      h('ul', { class: 'plain small' }, cut.identifiers.map((i) => h('li', {}, typeChip(i.type), ' ', h('span', { class: 'mono' }, i.value))),
        cut.edges.map((e) => h('li', {}, 'link ', h('span', { class: 'mono' }, e.from.value), ' – ', h('span', { class: 'mono' }, e.to.value))))],
    confirm: 'Split',
  });
  if (!ok) return;
  try {
    const personas = await context.api.split(persona.id, cut);
    if (!context.active()) return;
    if (!personas) throw new Error(`${persona.id} no longer exists`);
    // draw the persona as it is now, with the personas the split left above it
    context.reload({ split: { from: persona.id, personas } });
  } catch (error) {
    context.fail(error, 'Split');
  }
}

function splitResultCard({ from, personas }) {
  return h('section', { class: 'card split-result', 'aria-live': 'polite' },
    h('h2', {}, `${from} was split into ${plural(personas.length, 'persona')}`),
    h('div', { class: 'result-list' }, personas.map((p) => h('div', { class: 'result-item', 'data-persona': p.id },
      personaLink(p.id), p.id === from && h('span', { class: 'badge' }, 'kept the id'),
      h('div', { class: 'small' }, p.identifiers.map((i, k) => [k > 0 && ', ', h('span', { class: 'mono' }, i.value)])),
      h('div', { class: 'chips' }, countChips(p.counts))))));
}

async function erasePersona(persona, context) {
  const ok = await confirmAction({
    title: `Erase ${persona.id} for good?`,
    body: [h('p', {}, `This erases ${persona.identifiers.length === 1 ? 'the one identifier' : `all ${plural(persona.identifiers.length, 'identifier')}`} of this persona from the graph and from every stored event (GDPR). It cannot be undone, and the values never come back by replay.`)],
    confirm: 'Erase for good',
    danger: true,
    typeToConfirm: ERASE_WORD,
  });
  if (!ok) return;
  try {
    const erased = await context.api.erasePersona(persona.id);
    if (!context.active()) return;
    if (!erased) throw new Error(`${persona.id} no longer exists`);
    context.navigate('#/find', { notice: `Erased ${plural(erased.erased, 'identifier')} of ${persona.id}.` });
  } catch (error) {
    context.fail(error, 'Erase');
  }
}
