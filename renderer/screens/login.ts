/**
 * Headless sign-in. The server printed a login link on first start
 * (`http://127.0.0.1:4730/#token=…`); the fragment never reaches the server
 * or its logs, and the token is kept in this tab's sessionStorage only.
 * Pasting the token here does the same.
 */
import { tokenStore } from '../api/http-transport.js';
import { h, replace, uid } from '../lib/dom.js';
import { pastedToken, signInModel, type SignInReason } from './login-model.js';

export function loginScreen(root: HTMLElement, why: SignInReason, done: () => void): void {
  const model = signInModel(why);
  const id = uid('token');
  const input = h('input', {
    id,
    attrs: { type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' },
  });
  const form = h(
    'form',
    {
      class: 'login-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          const token = pastedToken(input.value);
          if (token === null) return;
          tokenStore.set(token);
          done();
        },
      },
    },
    h('label', { attrs: { for: id }, text: 'Admin token' }),
    input,
    h('button', { class: 'btn btn-primary', text: 'Sign in', attrs: { type: 'submit' } }),
  );
  replace(
    root,
    h(
      'main',
      { id: 'main', class: 'login', attrs: { tabindex: '-1' } },
      h(
        'div',
        { class: 'login-card' },
        h(
          'div',
          { class: 'brand' },
          h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
          'Nova DB',
        ),
        h('h1', { text: model.heading }),
        model.warning
          ? h('p', {
              class: 'notice notice-warning',
              attrs: { role: 'alert' },
              text: model.warning,
            })
          : null,
        h(
          'p',
          {},
          'Open the login link that ',
          h('code', { text: 'nova-db serve', dataset: { technical: '' } }),
          ' printed when it first started, or paste the admin token below.',
        ),
        h(
          'p',
          { class: 'muted' },
          'Lost it? Run ',
          h('code', { text: 'nova-db serve --rotate-token', dataset: { technical: '' } }),
          ' to get a new login link (the old token stops working).',
        ),
        form,
      ),
    ),
  );
  input.focus();
}
