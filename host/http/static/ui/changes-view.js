// The changes feed: recent merges, splits and erasures, newest first, each linking to the
// personas it touched; refreshed live.
import { h, fill, timeElement, formatClock } from './dom.js';
import { personaLink } from './identifiers.js';
import { changesFeed, refreshLoop, REFRESH_MS } from './live.js';

const SHOWN = 200;
const KINDS = [['all', 'All changes'], ['merge', 'Merges'], ['split', 'Splits'], ['erase', 'Erasures']];
const KIND_TEXT = { merge: 'Merge', split: 'Split', erase: 'Erase' };

export function renderChanges(container, context) {
  const feed = changesFeed(context.api);
  const filter = h('select', { 'aria-label': 'Show' }, KINDS.map(([value, label]) => h('option', { value }, label)));
  const list = h('ol', { class: 'feed', 'data-testid': 'changes' });
  const status = h('span', { class: 'muted small live' });
  const draw = () => {
    const shown = feed.changes.filter((c) => filter.value === 'all' || c.kind === filter.value).slice(-SHOWN).reverse();
    if (shown.length === 0) {
      fill(list, h('li', { class: 'muted' }, 'No changes yet.'));
      return;
    }
    fill(list, shown.map(changeItem));
  };
  filter.addEventListener('change', draw);
  container.append(h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, 'Changes'), h('div', { class: 'toolbar' }, filter)),
    h('p', {}, status),
    list));
  return refreshLoop(context, async () => {
    await feed.poll();
    if (!context.active()) return;
    draw();
    status.textContent = `Updated ${formatClock(new Date())}; refreshes every ${REFRESH_MS / 1000} s`;
  }, 'Reading changes');
}

function changeItem(change) {
  const personas = change.personas.map((id, i) => [i > 0 && ' ', personaLink(id)]);
  return h('li', { class: `feed-item kind-${change.kind}`, 'data-kind': change.kind },
    h('span', { class: `badge kind-${change.kind}` }, KIND_TEXT[change.kind] ?? change.kind),
    timeElement(change.at),
    h('span', { class: 'feed-personas' }, personas));
}
