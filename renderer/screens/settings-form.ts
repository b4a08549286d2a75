/**
 * The Settings form for people: settings grouped (Connections, Backups,
 * Advanced), each with its label, one line on what it does, a typed control
 * with its unit, and its error right beside it. Values set outside Nova
 * (environment, .env file, command line) are shown but cannot be edited
 * here; connection choices link to Setup.
 */
import {
  numberProblem,
  settingInfo,
  type SettingInfo,
} from '../../shared-contract/settings-catalog.js';
import { h, uid } from '../lib/dom.js';
import {
  settingGroupModels,
  settingRowModel,
  type SettingItem as Item,
  type SettingNote,
  type SettingsView,
} from './settings-model.js';
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
  const model = settingRowModel(item);
  const info = settingInfo(item.key);
  const id = `setting-${item.key}`;
  const descId = uid('desc');
  const errId = uid('err');
  const error = h('p', { class: 'field-error', id: errId, attrs: { hidden: true } });
  let valueEl: HTMLElement;
  let read: (() => Value) | null = null;
  let input: HTMLInputElement | HTMLSelectElement | null = null;
  if (model.readOnly) {
    valueEl = h('span', { class: 'mono', id, text: model.shown });
  } else {
    ({ input, read } = control(item, info, id));
    input.setAttribute('aria-describedby', `${descId} ${errId}`);
    valueEl = input;
  }
  const initial = read ? read() : null;
  const element = h(
    'div',
    { class: 'setting', dataset: { setting: item.key } },
    h(
      'div',
      { class: 'setting-label' },
      model.readOnly
        ? h('span', { class: 'label', text: model.label })
        : h('label', { attrs: { for: id }, text: model.label }),
      h('p', { class: 'hint', id: descId, text: model.description }),
    ),
    h(
      'div',
      {},
      h(
        'div',
        { class: 'setting-control' },
        valueEl,
        model.unit ? h('span', { class: 'unit', text: model.unit }) : null,
        noteElement(model.note),
      ),
      error,
    ),
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

/** Where a setting that is not edited here is set instead. */
function noteElement(note: SettingNote): HTMLElement | null {
  if (!note) return null;
  if (note.kind === 'setup')
    return h(
      'span',
      { class: 'setting-source' },
      'Chosen in ',
      h('a', { attrs: { href: '#/setup' }, text: 'Setup' }),
      '.',
    );
  if (note.kind === 'startup')
    return h('span', { class: 'setting-source', text: 'Chosen when Nova starts.' });
  return h(
    'span',
    { class: 'setting-source' },
    `Set ${note.where} as `,
    h('code', { text: note.key, dataset: { technical: '' } }),
    '; change it there.',
  );
}

/** The rows grouped as the screen shows them; Advanced folded away. */
export function settingGroups(view: SettingsView): { rows: SettingRow[]; element: HTMLElement } {
  const rows = view.items.map(settingRow);
  const groups = settingGroupModels(view).map((g) => {
    const mine = rows.filter((r) => g.keys.includes(r.key));
    const body = [h('p', { class: 'muted', text: g.description }), mine.map((r) => r.element)];
    const label = { 'aria-labelledby': g.headingId };
    return g.folded
      ? h(
          'section',
          { class: 'panel settings-group', attrs: label },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('h2', { id: g.headingId, class: 'inline-heading', text: g.heading }),
            ),
            body,
          ),
        )
      : h(
          'section',
          { class: 'panel settings-group', attrs: label },
          h('h2', { id: g.headingId, text: g.heading }),
          body,
        );
  });
  return { rows, element: h('div', {}, groups) };
}
