/**
 * The Settings form for people: settings grouped (Connections, Backups,
 * Advanced), each with its label, one line on what it does, a typed control
 * with its unit, and its error right beside it. Values set outside Nova
 * (environment, .env file, command line) are shown but cannot be edited
 * here; connection choices link to Setup.
 */
import type { z } from 'zod';
import type { settingsViewSchema } from '../../shared-contract/methods/settings.js';
import {
  numberProblem,
  SETTING_GROUPS,
  settingInfo,
  type SettingInfo,
} from '../../shared-contract/settings-catalog.js';
import { h, uid } from '../lib/dom.js';

type SettingsView = z.infer<typeof settingsViewSchema>;
type Item = SettingsView['items'][number];
type Value = string | number | boolean | null;

export interface SettingRow {
  key: string;
  element: HTMLElement;
  /** The value to save when it changed; undefined when unchanged; an error message string problem via showError. */
  changed(): { value: Value } | undefined;
  /** Checks the value in the browser; returns the problem shown beside the field, or null. */
  validate(): string | null;
  showError(message: string | null): void;
}

const SOURCE_WORD: Record<string, string> = {
  flag: 'on Nova’s command line',
  env: 'in Nova’s environment',
  dotenv: 'in the .env file',
};

function control(
  item: Item,
  info: SettingInfo,
  id: string,
): { input: HTMLInputElement | HTMLSelectElement; read: () => Value } {
  const c = info.control;
  const current = item.value;
  if (c.kind === 'boolean') {
    const input = h('input', { id, attrs: { type: 'checkbox', checked: current === true } });
    return { input, read: () => input.checked };
  }
  if (c.kind === 'choice') {
    const input = h(
      'select',
      { id },
      c.options.map((o) =>
        h('option', {
          attrs: { value: o.value, selected: String(current) === o.value },
          text: o.label,
        }),
      ),
    );
    return { input, read: () => input.value };
  }
  if (c.kind === 'number') {
    const input = h('input', {
      id,
      attrs: {
        type: 'number',
        min: c.min,
        max: c.max,
        step: c.step ?? 'any',
        value: current === null ? '' : String(current),
        inputmode: 'decimal',
      },
    });
    return { input, read: () => (input.value.trim() === '' ? null : Number(input.value)) };
  }
  const input = h('input', {
    id,
    attrs: {
      type: 'text',
      spellcheck: 'false',
      value: current === null ? '' : String(current),
      placeholder: c.placeholder ?? null,
    },
  });
  return { input, read: () => (input.value.trim() === '' ? null : input.value.trim()) };
}

export function settingRow(item: Item): SettingRow {
  const info = settingInfo(item.key);
  const id = `setting-${item.key}`;
  const descId = uid('desc');
  const errId = uid('err');
  const error = h('p', { class: 'field-error', id: errId, attrs: { hidden: true } });
  const readOnly = !item.editable || info.setupOnly === true || item.secret;
  const source = SOURCE_WORD[item.source];
  let valueEl: HTMLElement;
  let read: (() => Value) | null = null;
  let input: HTMLInputElement | HTMLSelectElement | null = null;
  if (readOnly) {
    const shown =
      item.value === null
        ? 'not set'
        : info.control.kind === 'choice'
          ? (info.control.options.find((o) => o.value === String(item.value))?.label ??
            String(item.value))
          : String(item.value);
    valueEl = h('span', { class: 'mono', id, text: shown });
  } else {
    ({ input, read } = control(item, info, id));
    input.setAttribute('aria-describedby', `${descId} ${errId}`);
    valueEl = input;
  }
  const initial = read ? read() : null;
  const unit =
    info.control.kind === 'number' && info.control.unit
      ? h('span', { class: 'unit', text: info.control.unit })
      : null;
  const note = info.setupOnly
    ? h(
        'span',
        { class: 'setting-source' },
        'Chosen in ',
        h('a', { attrs: { href: '#/setup' }, text: 'Setup' }),
        '.',
      )
    : item.key === 'NOVA_DATA_DIR'
      ? h('span', { class: 'setting-source', text: 'Chosen when Nova starts.' })
      : source
        ? h(
            'span',
            { class: 'setting-source' },
            `Set ${source} as `,
            h('code', { text: item.key, dataset: { technical: '' } }),
            '; change it there.',
          )
        : null;
  const element = h(
    'div',
    { class: 'setting', dataset: { setting: item.key } },
    h(
      'div',
      { class: 'setting-label' },
      readOnly
        ? h('span', { class: 'label', text: info.label })
        : h('label', { attrs: { for: id }, text: info.label }),
      h('p', { class: 'hint', id: descId, text: info.description }),
    ),
    h('div', {}, h('div', { class: 'setting-control' }, valueEl, unit, note), error),
  );
  return {
    key: item.key,
    element,
    changed: () => {
      if (!read) return undefined;
      const now = read();
      return now === initial ? undefined : { value: now };
    },
    validate: () => {
      if (!input || info.control.kind !== 'number') return null;
      return numberProblem(info.control, input.value);
    },
    showError(message) {
      error.hidden = message === null;
      error.textContent = message ?? '';
      if (input) {
        if (message) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    },
  };
}

/** The rows grouped as the screen shows them; Advanced folded away. */
export function settingGroups(view: SettingsView): { rows: SettingRow[]; element: HTMLElement } {
  const rows = view.items.map(settingRow);
  const groups = SETTING_GROUPS.map((g) => {
    const mine = rows.filter((r) => settingInfo(r.key).group === g.id);
    const body = [h('p', { class: 'muted', text: g.description }), mine.map((r) => r.element)];
    const headingId = `settings-${g.id}-h`;
    return g.id === 'advanced'
      ? h(
          'section',
          { class: 'panel settings-group', attrs: { 'aria-labelledby': headingId } },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('h2', {
                id: headingId,
                class: 'inline-heading',
                text: `${g.label} (${mine.length})`,
              }),
            ),
            body,
          ),
        )
      : h(
          'section',
          { class: 'panel settings-group', attrs: { 'aria-labelledby': headingId } },
          h('h2', { id: headingId, text: g.label }),
          body,
        );
  });
  return { rows, element: h('div', {}, groups) };
}
