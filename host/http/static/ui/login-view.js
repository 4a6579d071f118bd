// Sign-in: the tenant and its secret key (an admin key works too). The key is checked before it
// is kept, so a typo shows at once rather than on every later call.
import { h } from './dom.js';
import { ApiError } from './api.js';
import { showError } from './alerts.js';

const TENANT_PATTERN = '[a-z0-9][a-z0-9_\\-]{0,63}';

const REASONS = {
  401: 'the server does not know this key',
  403: 'this key may not read this tenant (a write key is not enough: use a secret key)',
};

export function renderLogin(container, { signIn }) {
  const tenant = h('input', { name: 'tenant', required: true, pattern: TENANT_PATTERN, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', placeholder: 'shop-a' });
  const key = h('input', { name: 'key', type: 'password', required: true, autocomplete: 'current-password', placeholder: 'secret key' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'card login', novalidate: false },
    h('h1', {}, 'Persona explorer'),
    h('p', { class: 'muted' }, 'Find people, see why their identifiers were joined, fix wrong merges, and watch the graph\'s quality.'),
    h('label', {}, 'Tenant', tenant),
    h('label', {}, 'Secret key', key),
    h('p', { class: 'muted small' }, 'The key stays in this browser tab only, and is sent to this server alone.'),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await signIn(tenant.value.trim(), key.value.trim());
    } catch (error) {
      const reason = error instanceof ApiError ? REASONS[error.status] : undefined;
      if (reason) showError(new Error(`${reason} (${error.code})`), 'Signing in');
      else showError(error, 'Signing in');
    } finally {
      submit.disabled = false;
    }
  });
  container.append(form);
  tenant.focus();
}
