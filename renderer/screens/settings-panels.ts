/** The Settings screen's panels beside the form: the admin token, and start-at-login on the desktop. */
import { errorNotice, info } from '../components/notice.js';
import type { AppContext } from '../context.js';
import { h, replace } from '../lib/dom.js';
import { rotatedTokenText } from './settings-model.js';

export function tokenPanel(ctx: AppContext): HTMLElement {
  const out = h('div', { attrs: { 'aria-live': 'polite' } });
  const rotate = h('button', {
    class: 'btn',
    text: 'Make a new admin token',
    attrs: { type: 'button' },
  });
  rotate.addEventListener('click', async () => {
    if (
      !window.confirm(
        'Make a new admin token? Every open session of the admin page and every script using the old token is signed out.',
      )
    )
      return;
    rotate.disabled = true;
    try {
      const { token } = await ctx.api.settings.rotateAdminToken();
      ctx.replaceToken?.(token);
      replace(
        out,
        info(
          'The token was replaced. This tab already uses the new one. Keep the link below somewhere safe; it is shown only now.',
          'success',
        ),
        h(
          'p',
          {},
          h('code', {
            class: 'secret',
            text: rotatedTokenText(ctx.info.mode, location.origin, token),
          }),
        ),
      );
    } catch (err) {
      replace(out, errorNotice(err));
    } finally {
      rotate.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'token-h' } },
    h('h2', { id: 'token-h', text: 'Admin token' }),
    h('p', { text: 'The admin page and its API accept only requests carrying this token.' }),
    rotate,
    out,
  );
}

export function autoStartPanel(ctx: AppContext): HTMLElement {
  const box = h('input', { attrs: { type: 'checkbox', id: 'autostart' } });
  const out = h('div', { attrs: { 'aria-live': 'polite' } });
  void ctx.api.settings.getAutoStart().then(
    (r) => {
      box.checked = r.enabled;
      box.disabled = !r.supported;
    },
    (err) => replace(out, errorNotice(err)),
  );
  box.addEventListener('change', async () => {
    try {
      const r = await ctx.api.settings.setAutoStart({ enabled: box.checked });
      box.checked = r.enabled;
      ctx.announce(r.enabled ? 'Nova starts at login' : 'Nova no longer starts at login');
    } catch (err) {
      replace(out, errorNotice(err));
    }
  });
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'autostart-h' } },
    h('h2', { id: 'autostart-h', text: 'Desktop' }),
    h(
      'div',
      { class: 'checkbox' },
      box,
      h('label', { attrs: { for: 'autostart' }, text: 'Start Nova DB when I log in' }),
    ),
    out,
  );
}
