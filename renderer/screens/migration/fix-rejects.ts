/**
 * Rejected rows as a fix-it workflow: grouped by table, column and reason
 * with counts and examples, a plain-language fix per group with one-click
 * choices where they are safe (the engine's rules), every row editable in
 * place or through a CSV download/upload, and "Apply fixed rejects", which
 * applies them to the finished run the way the command line does. Changed
 * values are summarised by kind underneath. What is shown is computed in
 * fix-rejects-model.ts and drawn by fix-rejects-tables.ts; this module wires
 * the clicks to the API.
 */
import type { MigrationRulesInput } from '../../../shared-contract/methods/migration.js';
import type { RejectsViewDto } from '../../../shared-contract/methods/migration-wizard.js';
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import { errorNotice, info, loading } from '../../components/notice.js';
import { h, replace, uid } from '../../lib/dom.js';
import { plural } from '../../lib/format.js';
import {
  changeRowModel,
  editedRows,
  fixRejectsModel,
  groupRowModel,
  lineRowModel,
  mergeRules,
} from './fix-rejects-model.js';
import { changesTable, chosenRulesNotice, groupsTable, rowsTable } from './fix-rejects-tables.js';
import { editsFromCsv, rejectsToCsv } from './rejects-csv.js';
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
  const model = fixRejectsModel(view, api.state.rules);
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const inputs = new Map<number, HTMLInputElement>();
  const applyButton = h('button', {
    class: 'btn btn-primary apply',
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
    const edits = editedRows(view.lines, (line) => inputs.get(line)?.value);
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
  applyButton.addEventListener('click', () => void apply());

  const groups = groupsTable(
    view.groups.map((g) => groupRowModel(g, view.applicable, api.state.rules)),
    (rule) => void (view.applicable ? apply(rule) : chooseForRun(rule)),
  );
  const rows = rowsTable(view.lines.map(lineRowModel), model.details.editable, inputs);

  const element = h(
    'section',
    { attrs: { 'aria-labelledby': 'fix-h' } },
    h('h3', { id: 'fix-h', text: model.heading }),
    model.none
      ? h('p', { class: 'muted', text: 'None: every row was migrated.' })
      : [
          model.intro.note ? info(model.intro.text) : h('p', { text: model.intro.text }),
          chosenRulesNotice(model.chosenRules),
          groups,
          model.partial ? info(model.partial) : null,
          h(
            'details',
            { class: 'panel', attrs: { open: model.details.open } },
            h('summary', { text: model.details.summary }),
            model.details.editable ? csvActions(view, inputs, status) : null,
            rows,
          ),
          status,
        ],
    h('h3', { text: model.changedHeading }),
    changesTable(view.changeGroups.map(changeRowModel)),
  );
  return { element, apply: model.canApply ? applyButton : null };
}

/** Download as CSV / Upload CSV: the rows' values round-trip through a spreadsheet. */
function csvActions(
  view: RejectsViewDto,
  inputs: Map<number, HTMLInputElement>,
  status: HTMLElement,
): HTMLElement {
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
  return h(
    'div',
    { class: 'actions' },
    download,
    h('label', { class: 'btn', attrs: { for: csvInput.id } }, 'Upload CSV'),
    csvInput,
  );
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
