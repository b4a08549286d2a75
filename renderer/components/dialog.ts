/**
 * A confirmation that must be typed (restore replaces the data): the native
 * <dialog> traps focus, closes on Escape and returns focus to the opener.
 */
import { h, uid } from '../lib/dom.js';

export interface TypedConfirmOptions {
  title: string;
  body: string;
  /** What the admin must type to enable the confirm button. */
  phrase: string;
  confirmLabel: string;
  /** Extra fields (e.g. a passphrase input) shown above the phrase. */
  extra?: HTMLElement;
}

export function confirmTyped(options: TypedConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const inputId = uid('confirm');
    const titleId = uid('dialog-title');
    const input = h('input', {
      id: inputId,
      attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false' },
    });
    const confirm = h('button', {
      class: 'btn btn-danger',
      text: options.confirmLabel,
      attrs: { type: 'submit', disabled: true },
    });
    const cancel = h('button', { class: 'btn', text: 'Cancel', attrs: { type: 'button' } });
    const form = h(
      'form',
      { attrs: { method: 'dialog' } },
      h('h2', { id: titleId, text: options.title }),
      h('p', { text: options.body }),
      options.extra ?? null,
      h(
        'label',
        { attrs: { for: inputId } },
        'Type ',
        h('code', { text: options.phrase }),
        ' to confirm',
      ),
      input,
      h('div', { class: 'actions' }, cancel, confirm),
    );
    const dialog = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': titleId } }, form);
    input.addEventListener('input', () => {
      confirm.disabled = input.value !== options.phrase;
    });
    let confirmed = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value !== options.phrase) return;
      confirmed = true;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(confirmed);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** Asks for a passphrase in a modal; resolves null when cancelled. (Electron has no window.prompt.) */
export function askPassphrase(title: string): Promise<string | null> {
  return new Promise((resolve) => {
    const inputId = uid('passphrase');
    const titleId = uid('dialog-title');
    const input = h('input', {
      id: inputId,
      attrs: { type: 'password', autocomplete: 'off', required: true },
    });
    const ok = h('button', {
      class: 'btn btn-primary',
      text: 'Continue',
      attrs: { type: 'submit' },
    });
    const cancel = h('button', { class: 'btn', text: 'Cancel', attrs: { type: 'button' } });
    const form = h(
      'form',
      { attrs: { method: 'dialog' } },
      h('h2', { id: titleId, text: title }),
      h('label', { attrs: { for: inputId }, text: 'Passphrase' }),
      input,
      h('div', { class: 'actions' }, cancel, ok),
    );
    const dialog = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': titleId } }, form);
    let value: string | null = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!input.value) return;
      value = input.value;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(value);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}
