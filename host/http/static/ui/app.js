// The explorer's shell: sign-in, the hash router (#/find, #/persona/psn_…, #/dashboard,
// #/changes) and what every view gets to work with.
import { createApi, ApiError } from './api.js';
import { clearAlerts, showError, showNotice } from './alerts.js';
import { h } from './dom.js';
import { loadSession, saveSession, clearSession } from './session.js';
import { renderLogin } from './login-view.js';
import { renderFind } from './find-view.js';
import { renderPersona } from './persona-view.js';
import { renderDashboard } from './dashboard-view.js';
import { renderChanges } from './changes-view.js';

const VIEWS = { find: renderFind, persona: renderPersona, dashboard: renderDashboard, changes: renderChanges };
const DEFAULT_VIEW = 'find';

/** A debug handle for the browser console and for tests: the current picture and view. */
window.explorer = { view: null, picture: null };

let dispose = null;
/** What an action hands to the next render (a notice to show, a split's outcome), used once. */
let pendingState = null;

/** `#/persona/psn_1?x=1` → { name: 'persona', arg: 'psn_1', query: URLSearchParams }. */
function parseHash() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return { name: VIEWS[name] ? name : DEFAULT_VIEW, arg: decodeURIComponent(rest.join('/')), query: new URLSearchParams(search) };
}

function showChrome(session) {
  document.getElementById('nav').hidden = !session;
  document.getElementById('who').hidden = !session;
  document.getElementById('tenant-name').textContent = session ? session.tenant : '';
}

function render() {
  dispose?.();
  dispose = null;
  const state = pendingState ?? {};
  pendingState = null;
  if (state.notice) showNotice(state.notice);
  const main = document.getElementById('view');
  const container = h('div', { class: 'view' });
  main.replaceChildren(container);
  window.scrollTo(0, 0); // a new view starts at its top, wherever the last one was scrolled
  const session = loadSession();
  showChrome(session);
  if (!session) {
    window.explorer.view = 'login';
    renderLogin(container, { signIn });
    return;
  }
  const route = parseHash();
  window.explorer.view = route.name;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.view === route.name);
  }
  let active = true;
  const cleanups = [];
  const context = {
    api: createApi(session),
    route,
    /** What the action that led here handed over (see navigate and reload). */
    state,
    active: () => active,
    /** Runs `fn` when the view goes away (timers, charts, the picture). */
    onDispose: (fn) => cleanups.push(fn),
    /** Goes to `hash`, handing `next` ({notice?, …}) to the view rendered there. */
    navigate(hash, next = null) {
      pendingState = next;
      if (location.hash === hash) render();
      else location.hash = hash;
    },
    /** Renders this view again, handing it `next`. */
    reload(next = null) {
      pendingState = next;
      render();
    },
    /** Reports a failed action, unless the view is gone; a refused key signs out. */
    fail(error, doing) {
      if (!active) return;
      if (error instanceof ApiError && error.status === 401) {
        signOut();
        showError(error, 'Signing in');
        return;
      }
      showError(error, doing);
    },
  };
  dispose = () => {
    active = false;
    for (const cleanup of cleanups) cleanup();
  };
  const result = VIEWS[route.name](container, context, route);
  Promise.resolve(result).catch((error) => context.fail(error));
}

/** Checks the key against the tenant's settings (secret keys only may read them), then keeps it. */
async function signIn(tenant, key) {
  const api = createApi({ tenant, key });
  await api.config();
  saveSession({ tenant, key });
  clearAlerts();
  if (!location.hash || location.hash === '#/' || location.hash === '#') location.hash = `#/${DEFAULT_VIEW}`;
  else render();
}

function signOut() {
  clearSession();
  render();
}

document.getElementById('logout').addEventListener('click', () => {
  clearAlerts();
  signOut();
});
window.addEventListener('hashchange', () => {
  clearAlerts();
  render();
});
render();
