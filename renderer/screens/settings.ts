/**
 * Settings: grouped settings with typed controls and errors beside their
 * fields (settings-form.ts), Save (what applies live applies at once) and
 * Apply & restart services; the admin token; start-at-login on the desktop.
 */
import { pageHeader } from '../components/page-header.js';
import { errorNotice, info, withStates } from '../components/notice.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { settingGroups } from './settings-form.js';
import type { SettingsView } from './settings-model.js';
import { autoStartPanel, tokenPanel } from './settings-panels.js';

export const settingsScreen: Screen = (ctx, host) => {
  const formHost = h('div', {});
  append(host, [
    pageHeader(
      'Settings',
      'How Nova runs. Log detail and backup settings apply at once; the others when the services restart.',
    ),
    formHost,
    ctx.info.mode === 'desktop' ? autoStartPanel(ctx) : null,
    tokenPanel(ctx),
  ]);
  const reload = withStates(
    formHost,
    'settings',
    () => ctx.api.settings.get(),
    (view) => renderForm(ctx, view, () => void reload()),
  );
};

function renderForm(ctx: AppContext, view: SettingsView, reload: () => void): Node {
  const { rows, element } = settingGroups(view);
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const save = h('button', {
    class: 'btn',
    text: 'Save',
    attrs: { type: 'submit', value: 'save' },
  });
  const apply = h('button', {
    class: 'btn btn-primary',
    text: 'Apply & restart services',
    attrs: { type: 'submit', value: 'restart' },
  });
  const form = h(
    'form',
    { attrs: { novalidate: true } },
    view.restartRequired
      ? info('Some saved settings are not in use yet: use Apply & restart services.', 'warning')
      : null,
    element,
    h('div', { class: 'actions sticky-actions' }, save, apply, status),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const restart = (event.submitter as HTMLButtonElement | null)?.value === 'restart';
    const values: Record<string, string | number | boolean | null> = {};
    let firstBad: HTMLElement | null = null;
    for (const row of rows) {
      const problem = row.validate();
      row.showError(problem);
      if (problem) firstBad ??= row.element;
      const change = row.changed();
      if (change) values[row.key] = change.value;
    }
    if (firstBad) {
      replace(status, info('Correct the values marked in red.', 'warning'));
      firstBad.querySelector<HTMLElement>('input, select')?.focus();
      return;
    }
    if (Object.keys(values).length === 0 && !restart) {
      replace(status, info('Nothing changed.'));
      return;
    }
    save.disabled = apply.disabled = true;
    if (restart) replace(status, info('Saving and restarting the services…'));
    try {
      const result = await ctx.api.settings.update({ values, restart });
      if (Object.keys(result.errors).length) {
        for (const row of rows) row.showError(result.errors[row.key] ?? null);
        replace(status, info('Nothing was saved: correct the values marked in red.', 'warning'));
        rows
          .find((r) => result.errors[r.key])
          ?.element.querySelector<HTMLElement>('input, select')
          ?.focus();
        return;
      }
      ctx.announce(restart ? 'Settings applied and services restarted' : 'Settings saved');
      reload();
    } catch (err) {
      replace(status, errorNotice(err));
    } finally {
      save.disabled = apply.disabled = false;
    }
  });
  return form;
}
