/**
 * Rejected rows as a fix-it workflow: grouped by table, column and reason
 * with counts and examples, a plain-language fix per group with one-click
 * choices where they are safe (the engine's rules), every row editable in
 * place or through a CSV download/upload, and "Apply fixed rejects", which
 * applies them to the finished run the way the command line does. Changed
 * values are summarised by kind underneath.
 */
import type {
  FixAction,
  MigrationRulesInput,
  RejectGroupDto,
} from '../../../shared-contract/methods/migration.js';
import type {
  RejectLineDto,
  RejectsViewDto,
} from '../../../shared-contract/methods/migration-wizard.js';
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import { errorNotice, info, loading } from '../../components/notice.js';
import { h, replace, uid } from '../../lib/dom.js';
import { formatCount, plural } from '../../lib/format.js';
import { changeText, FIX_LABEL, fixText, reasonText } from './reject-words.js';
import { editsFromCsv, rejectsToCsv, valueOf } from './rejects-csv.js';
import type { StepApi } from './wizard.js';

/**
 * `actionSlot` is a place in the step's sticky action bar: "Apply fixed
 * rejects" goes there, so it stays on screen beside the step's other actions.
 */
export function fixRejects(api: StepApi, actionSlot: HTMLElement): HTMLElement {
  const sessionId = api.state.summary!.sessionId;
  const host = h('div', { class: 'fix-rejects' }, loading('the rejected rows'));
  const load = async () => {
    try {
      const view = await api.ctx.api.migration.rejects({ sessionId });
      const { element, apply } = render(api, view);
      replace(host, element);
      if (apply) replace(actionSlot, apply);
    } catch (err) {
      replace(
        host,
        errorNotice(err, () => void load()),
      );
    }
  };
  void load();
  return host;
}

function render(
  api: StepApi,
  view: RejectsViewDto,
): { element: HTMLElement; apply: HTMLElement | null } {
  const sessionId = api.state.summary!.sessionId;
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const inputs = new Map<number, HTMLInputElement>();
  const edited = (): { line: number; row: Record<string, unknown> }[] => {
    const out: { line: number; row: Record<string, unknown> }[] = [];
    for (const l of view.lines) {
      const input = inputs.get(l.line);
      if (!input || input.value === valueOf(l)) continue;
      out.push({ line: l.line, row: { [l.column]: typed(input.value, l.row[l.column]) } });
    }
    return out;
  };
  const applyButton = h('button', {
    class: 'btn btn-primary',
    text: 'Apply fixed rejects',
    attrs: { type: 'button' },
  });
  const busy = (on: boolean) => {
    groups
      .querySelectorAll<HTMLButtonElement>('button[data-fix]')
      .forEach((b) => (b.disabled = on));
    applyButton.disabled = on;
  };

  const apply = async (rules?: MigrationRulesInput) => {
    const edits = edited();
    if (!rules && edits.length === 0) {
      replace(
        status,
        info(
          'Nothing is changed yet: edit a value below, upload a CSV, or choose a fix above.',
          'warning',
        ),
      );
      return;
    }
    busy(true);
    // The previous outcome would read as this one's while it runs.
    document.querySelector('.applied-notice')?.remove();
    replace(status, loading('the fixed rows into the target'));
    try {
      const { taskId } = await api.ctx.api.migration.applyRejects({
        sessionId,
        ...(rules ? { rules } : {}),
        ...(edits.length ? { edits } : {}),
      });
      const task = await finished(api, taskId);
      if (task.state !== 'succeeded') {
        replace(
          status,
          errorNotice(
            task.error ?? { name: 'Error', code: 'INTERNAL', message: 'Applying the rows failed.' },
          ),
        );
        busy(false);
        return;
      }
      const result = task.result as { applied?: number; stillRejected?: number } | null;
      const report = await api.ctx.api.migration.report({ sessionId });
      api.ctx.announce(
        `${plural(result?.applied ?? 0, 'row')} applied, ${plural(result?.stillRejected ?? 0, 'row')} still rejected`,
      );
      api.go('report', {
        report,
        applied: { applied: result?.applied ?? 0, stillRejected: result?.stillRejected ?? 0 },
      });
    } catch (err) {
      replace(status, errorNotice(err));
      busy(false);
    }
  };
  /** A dry run's one-click fix: a rule the run will use (a dry run cannot apply rows). */
  const chooseForRun = async (rule: MigrationRulesInput) => {
    const rules = mergeRules(api.state.rules, rule);
    busy(true);
    try {
      await api.ctx.api.migration.setRules({ sessionId, rules });
      api.ctx.announce('Rule chosen for the run');
      api.go('report', { rules });
    } catch (err) {
      replace(status, errorNotice(err));
      busy(false);
    }
  };
  applyButton.classList.add('apply');
  applyButton.addEventListener('click', () => void apply());

  const groups = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table reject-groups' },
      h('caption', { text: 'Rejected rows by reason' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Where', 'Why', 'Rows', 'Examples', 'How to fix'].map((t) =>
            h('th', { attrs: { scope: 'col' }, text: t }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        view.groups.map((g) =>
          h(
            'tr',
            { dataset: { group: `${g.table}.${g.column}.${g.reason}` } },
            h('th', { attrs: { scope: 'row' }, class: 'mono', text: `${g.table}.${g.column}` }),
            h(
              'td',
              {},
              reasonText(g.reason),
              g.cascade
                ? h('span', { class: 'hint block', text: 'Its parent row was rejected.' })
                : null,
            ),
            h('td', { class: 'num', text: formatCount(g.count) }),
            h('td', {
              class: 'mono',
              text: g.examples.join(', ') + (g.count > g.examples.length ? ', …' : ''),
            }),
            h(
              'td',
              {},
              h('p', { class: 'fix-text', text: fixText(g, view.applicable) }),
              fixButtons(g, view.applicable, api.state.rules, {
                apply: (rule) => void apply(rule),
                forRun: (rule) => void chooseForRun(rule),
              }),
            ),
          ),
        ),
      ),
    ),
  );

  const csvInput = h('input', {
    id: uid('csv'),
    class: 'sr-only',
    attrs: { type: 'file', accept: '.csv,text/csv' },
  });
  csvInput.addEventListener('change', async () => {
    const file = csvInput.files?.[0];
    if (!file) return;
    const parsed = editsFromCsv(await file.text(), view.lines);
    if ('problem' in parsed) {
      replace(status, info(parsed.problem, 'warning'));
      return;
    }
    for (const [line, value] of parsed.values) {
      const input = inputs.get(line);
      if (input) input.value = value;
    }
    replace(
      status,
      info(
        `${plural(parsed.values.size, 'value')} taken from ${file.name}. Check them below, then choose Apply fixed rejects.`,
        'success',
      ),
    );
    csvInput.value = '';
  });
  const download = h('button', {
    class: 'btn',
    text: 'Download as CSV',
    attrs: { type: 'button' },
  });
  download.addEventListener('click', () => {
    const blob = new Blob([rejectsToCsv(view.lines)], { type: 'text/csv' });
    const a = h('a', { attrs: { href: URL.createObjectURL(blob), download: 'rejected-rows.csv' } });
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });

  const rows = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table reject-rows' },
      h('caption', { class: 'sr-only', text: 'Rejected rows' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Row', 'Column', 'Why', 'Original value', ...(view.applicable ? ['New value'] : [])].map(
            (t) => h('th', { attrs: { scope: 'col' }, text: t }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        view.lines.map((l) => lineRow(l, inputs, view.applicable)),
      ),
    ),
  );

  const changes = view.changeGroups.length
    ? h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table change-groups' },
          h('caption', { class: 'sr-only', text: 'Values changed to fit, by kind' }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['What changed', 'Where', 'Values', 'Examples'].map((t) =>
                h('th', { attrs: { scope: 'col' }, text: t }),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            view.changeGroups.map((g) =>
              h(
                'tr',
                { dataset: { kind: g.kind } },
                h('th', { attrs: { scope: 'row' }, text: changeText(g.kind) }),
                h('td', { class: 'mono', text: `${g.table}.${g.column}` }),
                h('td', { class: 'num', text: formatCount(g.count) }),
                h(
                  'td',
                  {},
                  h(
                    'ul',
                    { class: 'plain' },
                    g.examples.slice(0, 2).map((e) =>
                      h('li', {
                        class: 'mono wrap',
                        text: `${e.key}: ${short(e.from)} → ${short(e.to)}`,
                      }),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      )
    : h('p', { class: 'muted', text: 'No value was changed to fit.' });

  const element = h(
    'section',
    { attrs: { 'aria-labelledby': 'fix-h' } },
    h('h3', { id: 'fix-h', text: `Rejected rows (${formatCount(view.total)})` }),
    view.total === 0
      ? h('p', { class: 'muted', text: 'None: every row was migrated.' })
      : [
          view.applicable
            ? h('p', {
                text: `${plural(view.total, 'row')} in ${plural(view.groups.length, 'group')}. Fix a group with one of its buttons, or correct the values in the rows below (or in a spreadsheet), then choose Apply fixed rejects. Rows that still do not fit stay here with their new reason.`,
              })
            : info(
                'A dry run writes nothing, so no row can be applied yet. A fix chosen here is used by the run; after the run, the rows left can be edited and applied here.',
              ),
          !view.applicable && api.state.rules ? chosenRules(api.state.rules) : null,
          groups,
          view.lines.length < view.total
            ? info(
                `The first ${formatCount(view.lines.length)} rows are shown for editing; the groups count all ${formatCount(view.total)}.`,
              )
            : null,
          h(
            'details',
            { class: 'panel', attrs: { open: view.total <= 50 } },
            h('summary', {
              text: view.applicable
                ? `Edit the rejected rows (${formatCount(view.lines.length)})`
                : `The rejected rows (${formatCount(view.lines.length)})`,
            }),
            view.applicable
              ? h(
                  'div',
                  { class: 'actions' },
                  download,
                  h('label', { class: 'btn', attrs: { for: csvInput.id } }, 'Upload CSV'),
                  csvInput,
                )
              : null,
            rows,
          ),
          status,
        ],
    h('h3', {
      text: `Values changed to fit (${formatCount(view.changeGroups.reduce((n, g) => n + g.count, 0))})`,
    }),
    changes,
  );
  return { element, apply: view.applicable && view.total > 0 ? applyButton : null };
}

function lineRow(
  l: RejectLineDto,
  inputs: Map<number, HTMLInputElement>,
  editable: boolean,
): HTMLElement {
  const id = uid('edit');
  const input = h('input', {
    id,
    attrs: {
      type: 'text',
      value: valueOf(l),
      autocomplete: 'off',
      spellcheck: 'false',
      disabled: !editable,
      'aria-label': `New value of ${l.column} for ${l.table} ${l.key}`,
    },
    dataset: { line: String(l.line) },
  });
  inputs.set(l.line, input);
  return h(
    'tr',
    { dataset: { line: String(l.line) } },
    h('th', { attrs: { scope: 'row' }, class: 'mono nowrap', text: `${l.table} ${l.key}` }),
    h('td', { class: 'mono', text: l.column }),
    h(
      'td',
      {},
      h('span', { class: 'tag', text: l.reason }),
      l.message ? h('span', { class: 'hint block', text: l.message }) : null,
    ),
    h('td', { class: 'mono wrap', text: short(l.original) }),
    editable ? h('td', {}, input) : null,
  );
}

/**
 * Fixes that applying the rejects again can carry out: they let rows in.
 * Dropping orphans and merging duplicates leave rows out, which only a run
 * does — on a dry run's report they are chosen for the run instead.
 */
const APPLY_FIXES = new Set<FixAction>(['round', 'truncate', 'keep-in-extra', 'keep-first-rename']);

function fixButtons(
  g: RejectGroupDto,
  applicable: boolean,
  chosen: MigrationRulesInput | undefined,
  on: { apply(rule: MigrationRulesInput): void; forRun(rule: MigrationRulesInput): void },
): HTMLElement | null {
  if (g.cascade) return null;
  const fixes = applicable ? g.fixes.filter((f) => APPLY_FIXES.has(f)) : g.fixes;
  if (!fixes.length) return null;
  return h(
    'div',
    { class: 'actions compact' },
    fixes.map((f) => {
      const rule = ruleFor(g.table, g.column, f, g.key);
      const already = !applicable && hasRule(chosen, rule);
      return h('button', {
        class: 'btn',
        text: already ? `${FIX_LABEL[f]} ✓ chosen for the run` : FIX_LABEL[f],
        attrs: {
          type: 'button',
          disabled: already,
          'aria-label': `${FIX_LABEL[f]}${applicable ? '' : ' in the run'}: ${g.table}.${g.column}, ${plural(g.count, 'row')}`,
        },
        dataset: { fix: f },
        on: { click: () => (applicable ? on.apply(rule) : on.forRun(rule)) },
      });
    }),
  );
}

function mergeRules(
  a: MigrationRulesInput | undefined,
  b: MigrationRulesInput,
): MigrationRulesInput {
  const uniq = <T>(xs: T[]): T[] => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
  return {
    values: uniq([...(a?.values ?? []), ...(b.values ?? [])]),
    duplicates: uniq([...(a?.duplicates ?? []), ...(b.duplicates ?? [])]),
    orphans: uniq([...(a?.orphans ?? []), ...(b.orphans ?? [])]),
  };
}

function hasRule(rules: MigrationRulesInput | undefined, rule: MigrationRulesInput): boolean {
  if (!rules) return false;
  const merged = mergeRules(rules, rule);
  return JSON.stringify(merged) === JSON.stringify(mergeRules(rules, {}));
}

/** The rules chosen for the run, in words. */
function chosenRules(rules: MigrationRulesInput): HTMLElement | null {
  const items = [
    ...(rules.values ?? []).map(
      (r) => `${FIX_LABEL[r.action as FixAction] ?? r.action}: ${r.table}.${r.column}`,
    ),
    ...(rules.duplicates ?? []).map(
      (r) => `${FIX_LABEL[r.action as FixAction] ?? r.action}: ${r.table} (${r.key.join(', ')})`,
    ),
    ...(rules.orphans ?? []).map(
      (r) => `${FIX_LABEL[r.action as FixAction] ?? r.action}: ${r.table}`,
    ),
  ];
  return items.length
    ? h(
        'div',
        { class: 'notice notice-info chosen-rules' },
        h('p', { text: 'The run will use these fixes:' }),
        h(
          'ul',
          {},
          items.map((t) => h('li', { text: t })),
        ),
      )
    : null;
}

/** The rule of one one-click fix. */
function ruleFor(
  table: string,
  column: string,
  fix: FixAction,
  key: string[] | undefined,
): MigrationRulesInput {
  if (fix === 'drop') return { orphans: [{ table, action: 'drop' }] };
  if (fix === 'keep-first-rename' || fix === 'merge')
    return { duplicates: [{ table, key: key ?? [column], action: fix }] };
  return { values: [{ table, column, action: fix }] };
}

/** A typed value keeps the kind of the original: a number stays a number when it reads as one. */
function typed(text: string, original: unknown): unknown {
  if (typeof original === 'number' && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (text === '' && original === null) return null;
  return text;
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Waits for a task to end, from its events (and one look in case it ended already). */
function finished(api: StepApi, taskId: string): Promise<TaskSnapshotDto> {
  return new Promise((resolve, reject) => {
    const done = (t: TaskSnapshotDto) => {
      if (t.state === 'running' || t.state === 'pending') return;
      off();
      resolve(t);
    };
    const off = api.ctx.onEvent((event) => {
      if (event.type === 'task' && event.task.id === taskId) done(event.task);
    });
    api.onLeave(off);
    api.ctx.api.tasks.get({ id: taskId }).then(done, (err: unknown) => {
      off();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
