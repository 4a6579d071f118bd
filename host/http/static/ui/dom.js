// Building the page from data without ever parsing data as HTML: every value goes in as text.

/**
 * An element: `h('a', { class: 'x', href: '#/p', onclick: fn }, 'text', child)`.
 * Props starting with `on` are listeners; `class`, `text`, `hidden`, `disabled` are set directly;
 * the rest are attributes (skipped when null, undefined or false).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'hidden' || name === 'disabled') element[name] = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const pad = (n) => String(n).padStart(2, '0');

/** `2026-03-05 11:00` in the viewer's time zone; the full ISO time in a tooltip where shown. */
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatClock(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A `<time>` showing formatTime, with the exact ISO time on hover. */
export function timeElement(iso) {
  return h('time', { datetime: iso, title: iso }, formatTime(iso));
}

export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

/** One, two or more: `plural(2, 'identifier')` → "2 identifiers". */
export function plural(n, word, many = `${word}s`) {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}
