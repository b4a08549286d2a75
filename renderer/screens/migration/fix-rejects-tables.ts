/**
 * The tables of the rejects fix-it view, drawn from its models
 * (fix-rejects-model.ts): the groups with their fix buttons, the rows with
 * their edit boxes, the values changed to fit, and the rules chosen for the
 * run. What a click does is the caller's (fix-rejects.ts).
 */
import type { MigrationRulesInput } from '../../../shared-contract/methods/migration.js';
import { h, uid } from '../../lib/dom.js';
import type { ChangeRowModel, GroupRowModel, LineRowModel } from './fix-rejects-model.js';

function table(
  className: string,
  caption: { text: string; hidden?: boolean },
  headings: string[],
  body: HTMLElement[],
): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: `table ${className}` },
      h('caption', { ...(caption.hidden ? { class: 'sr-only' } : {}), text: caption.text }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
        ),
      ),
      h('tbody', {}, body),
    ),
  );
}

export function groupsTable(
  groups: GroupRowModel[],
  onFix: (rule: MigrationRulesInput) => void,
): HTMLElement {
  return table(
    'reject-groups',
    { text: 'Rejected rows by reason' },
    ['Where', 'Why', 'Rows', 'Examples', 'How to fix'],
    groups.map((g) =>
      h(
        'tr',
        { dataset: { group: g.id } },
        h('th', { attrs: { scope: 'row' }, class: 'mono', text: g.where }),
        h(
          'td',
          {},
          g.why,
          g.cascade
            ? h('span', { class: 'hint block', text: 'Its parent row was rejected.' })
            : null,
        ),
        h('td', { class: 'num', text: g.count }),
        h('td', { class: 'mono', text: g.examples }),
        h(
          'td',
          {},
          h('p', { class: 'fix-text', text: g.fixText }),
          g.fixes.length
            ? h(
                'div',
                { class: 'actions compact' },
                g.fixes.map((f) =>
                  h('button', {
                    class: 'btn',
                    text: f.label,
                    attrs: { type: 'button', disabled: f.chosen, 'aria-label': f.ariaLabel },
                    dataset: { fix: f.action },
                    on: { click: () => onFix(f.rule) },
                  }),
                ),
              )
            : null,
        ),
      ),
    ),
  );
}

/** The rejected rows; `inputs` receives each row's edit box by line (when editable). */
export function rowsTable(
  rows: LineRowModel[],
  editable: boolean,
  inputs: Map<number, HTMLInputElement>,
): HTMLElement {
  return table(
    'reject-rows',
    { text: 'Rejected rows', hidden: true },
    ['Row', 'Column', 'Why', 'Original value', ...(editable ? ['New value'] : [])],
    rows.map((l) => {
      const input = h('input', {
        id: uid('edit'),
        attrs: {
          type: 'text',
          value: l.value,
          autocomplete: 'off',
          spellcheck: 'false',
          disabled: !editable,
          'aria-label': l.ariaLabel,
        },
        dataset: { line: String(l.line) },
      });
      inputs.set(l.line, input);
      return h(
        'tr',
        { dataset: { line: String(l.line) } },
        h('th', { attrs: { scope: 'row' }, class: 'mono nowrap', text: l.label }),
        h('td', { class: 'mono', text: l.column }),
        h(
          'td',
          {},
          h('span', { class: 'tag', text: l.reason }),
          l.message ? h('span', { class: 'hint block', text: l.message }) : null,
        ),
        h('td', { class: 'mono wrap', text: l.original }),
        editable ? h('td', {}, input) : null,
      );
    }),
  );
}

export function changesTable(changes: ChangeRowModel[]): HTMLElement {
  if (!changes.length) return h('p', { class: 'muted', text: 'No value was changed to fit.' });
  return table(
    'change-groups',
    { text: 'Values changed to fit, by kind', hidden: true },
    ['What changed', 'Where', 'Values', 'Examples'],
    changes.map((g) =>
      h(
        'tr',
        { dataset: { kind: g.kind } },
        h('th', { attrs: { scope: 'row' }, text: g.what }),
        h('td', { class: 'mono', text: g.where }),
        h('td', { class: 'num', text: g.count }),
        h(
          'td',
          {},
          h(
            'ul',
            { class: 'plain' },
            g.examples.map((text) => h('li', { class: 'mono wrap', text })),
          ),
        ),
      ),
    ),
  );
}

/** The rules chosen for the run, in words, or nothing. */
export function chosenRulesNotice(lines: string[]): HTMLElement | null {
  return lines.length
    ? h(
        'div',
        { class: 'notice notice-info chosen-rules' },
        h('p', { text: 'The run will use these fixes:' }),
        h(
          'ul',
          {},
          lines.map((t) => h('li', { text: t })),
        ),
      )
    : null;
}
