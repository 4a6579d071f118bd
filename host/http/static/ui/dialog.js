// A confirmation dialog (the page's one <dialog>): resolves true only when confirmed, and, for
// what cannot be undone, only once the person typed the word asked for.
import { h, fill } from './dom.js';

/**
 * @param {{title: string, body: (Node|string)[], confirm: string, danger?: boolean, typeToConfirm?: string}} options
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, body, confirm, danger = false, typeToConfirm }) {
  const dialog = document.getElementById('dialog');
  const typed = typeToConfirm ? h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-label': `Type ${typeToConfirm} to confirm` }) : null;
  const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : 'primary', disabled: Boolean(typed) }, confirm);
  const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
  typed?.addEventListener('input', () => { ok.disabled = typed.value.trim() !== typeToConfirm; });
  const form = h('form', { method: 'dialog' },
    h('h2', {}, title),
    h('div', { class: 'dialog-body' }, body),
    typed && h('label', { class: 'type-to-confirm' }, h('span', {}, 'Type ', h('code', {}, typeToConfirm), ' to confirm'), typed),
    h('div', { class: 'dialog-actions' }, cancel, ok));
  fill(dialog, form);
  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close('cancel'));
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    (typed ?? ok).focus();
  });
}
