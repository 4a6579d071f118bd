// Messages at the top of the page: errors stay until closed or until the next action; notices
// (what an action did) too, so nobody misses them.
import { h } from './dom.js';
import { ApiError } from './api.js';

const area = () => document.getElementById('alerts');

function show(kind, title, text) {
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '×');
  const alert = h('div', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', {}, title && h('strong', {}, title, ' '), text), close);
  close.addEventListener('click', () => alert.remove());
  area().append(alert);
  return alert;
}

/** Shows what went wrong: the API's code and message, or the error's text. */
export function showError(error, doing) {
  const prefix = doing ? `${doing} failed:` : 'Error:';
  if (error instanceof ApiError) return show('error', prefix, `${error.message} (${error.status || 'no answer'} ${error.code})`);
  return show('error', prefix, error?.message ?? String(error));
}

export function showNotice(text) {
  return show('notice', '', text);
}

export function clearAlerts() {
  area().replaceChildren();
}
