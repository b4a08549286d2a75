/**
 * Settings: every setting with its value and where it comes from (a value
 * from the environment or a flag cannot be changed here), edits saved to
 * the versioned settings file, the admin token, and start-at-login.
 */
import type { z } from 'zod';
import type { settingsViewSchema } from '../../shared-contract/methods/settings.js';
import { pageHeader } from '../app-shell.js';
import { errorNotice, info, withStates } from '../components/notice.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';

type SettingsView = z.infer<typeof settingsViewSchema>;

const SOURCE_LABEL: Record<string, string> = {
  flag: 'command line',
  env: 'environment',
  dotenv: '.env file',
  settings: 'settings file',
  default: 'default',
};

export const settingsScreen: Screen = (ctx, host) => {
  const tableHost = h('div', {});
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  append(host, [
    pageHeader(
      'Settings',
      'Values saved here go to the settings file in the data directory. Changes to services take effect after a restart; the log level applies at once.',
    ),
    ctx.info.mode === 'desktop' ? autoStartPanel(ctx) : null,
    tokenPanel(ctx),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'all-settings-h' } },
      h('h2', { id: 'all-settings-h', text: 'All settings' }),
      status,
      tableHost,
    ),
  ]);
  const reload = withStates(
    tableHost,
    'settings',
    () => ctx.api.settings.get(),
    (view) => renderTable(ctx, view, status, () => void reload()),
  );
};

function renderTable(
  ctx: AppContext,
  view: SettingsView,
  status: HTMLElement,
  reload: () => void,
): Node {
  const edits = new Map<string, HTMLInputElement>();
  const save = h('button', {
    class: 'btn btn-primary',
    text: 'Save changes',
    attrs: { type: 'submit' },
  });
  const form = h(
    'form',
    {},
    view.restartRequired
      ? info(
          'Some saved changes take effect after Nova restarts (or after saving the Setup again).',
          'warning',
        )
      : null,
    h('p', { class: 'muted' }, 'Settings file: ', h('code', { text: view.settingsFile })),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table settings-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Setting', 'Value', 'From'].map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
          ),
        ),
        h(
          'tbody',
          {},
          view.items.map((item) => {
            const id = `setting-${item.key}`;
            let cell: Node;
            if (item.editable && !item.secret) {
              const input = h('input', {
                id,
                attrs: {
                  type: 'text',
                  value: item.value === null ? '' : String(item.value),
                  spellcheck: 'false',
                  placeholder: item.value === null ? 'not set' : null,
                },
              });
              input.dataset.initial = input.value;
              edits.set(item.key, input);
              cell = input;
            } else {
              cell = h('span', {
                class: 'mono',
                id,
                text: item.value === null ? '—' : String(item.value),
              });
            }
            return h(
              'tr',
              {},
              h(
                'th',
                { attrs: { scope: 'row' } },
                h('label', { attrs: { for: id }, class: 'mono', text: item.key }),
              ),
              h('td', {}, cell, settingHint(item)),
              h('td', { text: SOURCE_LABEL[item.source] ?? item.source }),
            );
          }),
        ),
      ),
    ),
    h('div', { class: 'actions sticky-actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values: Record<string, string | null> = {};
    for (const [key, input] of edits) {
      if (input.value === input.dataset.initial) continue;
      values[key] = input.value.trim() === '' ? null : input.value.trim();
    }
    if (Object.keys(values).length === 0) {
      replace(status, info('Nothing changed.'));
      return;
    }
    save.disabled = true;
    try {
      await ctx.api.settings.update({ values });
      replace(status, info(`Saved ${Object.keys(values).join(', ')}.`, 'success'));
      ctx.announce('Settings saved');
      reload();
    } catch (err) {
      replace(status, errorNotice(err));
      save.disabled = false;
    }
  });
  return form;
}

function tokenPanel(ctx: AppContext): HTMLElement {
  const out = h('div', { attrs: { 'aria-live': 'polite' } });
  const rotate = h('button', {
    class: 'btn',
    text: 'Rotate admin token',
    attrs: { type: 'button' },
  });
  rotate.addEventListener('click', async () => {
    if (
      !window.confirm(
        'Make a new admin token? Every open session of the headless UI and every script using the old token is signed out.',
      )
    )
      return;
    rotate.disabled = true;
    try {
      const { token } = await ctx.api.settings.rotateAdminToken();
      ctx.replaceToken?.(token);
      const link = `${location.origin}/#token=${encodeURIComponent(token)}`;
      replace(
        out,
        info(
          'The token was rotated. This tab already uses the new one. Keep the link below somewhere safe; it is shown only now.',
          'success',
        ),
        h(
          'p',
          {},
          h('code', { class: 'secret', text: ctx.info.mode === 'headless' ? link : token }),
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
    h('p', { text: 'The headless server and its API accept only requests carrying this token.' }),
    rotate,
    out,
  );
}

function autoStartPanel(ctx: AppContext): HTMLElement {
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

/** Why a value cannot be edited here, and where it can. */
function settingHint(item: SettingsView['items'][number]): HTMLElement | null {
  let text: string | null = null;
  if (item.key === 'NOVA_DATA_DIR')
    text = 'chosen with --data-dir or NOVA_DATA_DIR when Nova starts';
  else if (!item.editable) text = `set in the ${SOURCE_LABEL[item.source]}; change it there`;
  else if (item.secret) text = 'a connection URL: change it in Setup';
  return text ? h('span', { class: 'hint block', text }) : null;
}
