/**
 * Backups: the list with integrity, run now (optionally
 * encrypted), verify, restore behind a typed confirmation, and the schedule.
 * Running work shows as task progress pushed from main.
 */
import type { TaskSnapshotDto } from '../../shared-contract/common.js';
import { pageHeader } from '../components/page-header.js';
import { askPassphrase, confirmTyped } from '../components/dialog.js';
import { textField } from '../components/field.js';
import { empty, errorNotice, info, withStates } from '../components/notice.js';
import { progressBar } from '../components/progress.js';
import { statusBadge } from '../components/status.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { coverageCell, coveragePanel } from './backups-coverage.js';
import {
  BACKUP_COLUMNS,
  backupRow,
  coverageLines,
  isBackupTask,
  listWords,
  nextBackupText,
  scheduleSavedText,
  taskLine,
  type BackupList,
  type BackupRowModel,
} from './backups-model.js';

export const backupsScreen: Screen = (ctx, host) => {
  const listHost = h('div', {});
  const tasksHost = h('div', { attrs: { 'aria-live': 'polite' } });
  const messages = h('div', {});
  const encrypt = h('input', { attrs: { type: 'checkbox', id: 'backup-encrypt' } });
  const passphrase = h('input', {
    attrs: { type: 'password', autocomplete: 'new-password', minlength: 8 },
  });
  const passField = textField(
    'Passphrase (at least 8 characters)',
    passphrase,
    'Needed to verify and restore; Nova does not store it.',
  );
  passField.hidden = true;
  encrypt.addEventListener('change', () => (passField.hidden = !encrypt.checked));
  const runNow = h('button', {
    class: 'btn btn-primary',
    text: 'Back up now',
    attrs: { type: 'submit' },
  });
  const runForm = h(
    'form',
    { class: 'panel backup-run' },
    h('h2', { text: 'New backup' }),
    h(
      'div',
      { class: 'checkbox' },
      encrypt,
      h('label', { attrs: { for: 'backup-encrypt' }, text: 'Encrypt with a passphrase' }),
    ),
    passField,
    h('div', { class: 'actions' }, runNow),
  );

  const track = new Map<string, HTMLElement>();
  const showTask = (task: TaskSnapshotDto) => {
    if (!isBackupTask(task)) return;
    let row = track.get(task.id);
    if (!row) {
      row = h('div', { class: 'task' });
      track.set(task.id, row);
      tasksHost.prepend(row);
    }
    renderTask(row, task);
    if (taskLine(task).finished) {
      ctx.announce(`${task.title}: ${task.state}`);
      void reload();
    }
  };

  runForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    runNow.disabled = true;
    try {
      const { taskId } = await ctx.api.backups.run(
        encrypt.checked ? { encrypt: true, passphrase: passphrase.value } : {},
      );
      replace(messages);
      showTask(await ctx.api.tasks.get({ id: taskId }));
    } catch (err) {
      replace(messages, errorNotice(err));
    } finally {
      runNow.disabled = false;
    }
  });

  const scheduleHost = h('div', {});
  const coverageHost = h('div', {});
  append(host, [
    pageHeader(
      'Backups',
      'Each backup is checked after it is written and restored into scratch databases to prove it works. The newest good backup is never deleted.',
    ),
    messages,
    coverageHost,
    h('div', { class: 'two-col' }, runForm, scheduleHost),
    tasksHost,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'backups-h' } },
      h('h2', { id: 'backups-h', text: 'Backups' }),
      listHost,
    ),
  ]);

  const reload = withStates(
    listHost,
    'backups',
    () => ctx.api.backups.list(),
    (list) => {
      replace(scheduleHost, scheduleForm(ctx, list, messages));
      replace(coverageHost, coveragePanel(coverageLines(list)));
      return renderList(ctx, list, messages, showTask);
    },
  );
  const off = ctx.onEvent((event) => {
    if (event.type === 'task') showTask(event.task);
  });
  void ctx.api.tasks.list().then(
    (r) => r.tasks.filter((t) => t.state === 'running').forEach(showTask),
    () => undefined,
  );
  return off;
};

function renderTask(row: HTMLElement, task: TaskSnapshotDto): void {
  const line = taskLine(task);
  replace(
    row,
    h('p', {}, statusBadge(line.state), line.text),
    line.progress ? progressBar(task.title, line.progress.done, line.progress.total) : null,
    task.error ? errorNotice(task.error) : null,
  );
}

function renderList(
  ctx: AppContext,
  list: BackupList,
  messages: HTMLElement,
  showTask: (t: TaskSnapshotDto) => void,
): Node {
  const words = listWords(list);
  if (list.backups.length === 0) return empty('No backups yet.', words.emptyHint);
  const act = async (start: () => Promise<{ taskId: string }>) => {
    try {
      const { taskId } = await start();
      showTask(await ctx.api.tasks.get({ id: taskId }));
    } catch (err) {
      replace(messages, errorNotice(err));
    }
  };
  return h(
    'table',
    { class: 'table' },
    h('caption', { class: 'muted', text: words.caption }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        BACKUP_COLUMNS.map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
      ),
    ),
    h(
      'tbody',
      {},
      list.backups.map((b) => backupRowElement(ctx, backupRow(b), act)),
    ),
  );
}

type Act = (start: () => Promise<{ taskId: string }>) => Promise<void>;

function backupRowElement(ctx: AppContext, row: BackupRowModel, act: Act): HTMLElement {
  return h(
    'tr',
    { dataset: { backup: row.id } },
    h('th', { attrs: { scope: 'row' }, class: 'mono', text: row.id }),
    h('td', {}, row.created, row.why ? h('span', { class: 'hint block', text: row.why }) : null),
    h('td', { class: 'num', text: row.size }),
    h('td', { text: row.contents }),
    h('td', {}, coverageCell(row.coverage)),
    h('td', { text: row.encrypted ? 'yes' : 'no' }),
    h(
      'td',
      {},
      statusBadge(row.state.badge.status, row.state.badge.text),
      row.state.note ? h('span', { class: 'hint block', text: row.state.note }) : null,
    ),
    h(
      'td',
      {},
      // Flex inside the cell, not on it: a flex <td> stops being a table cell and its borders break.
      h(
        'div',
        { class: 'row-actions' },
        row.actions
          ? [verifyButton(ctx, row, act), restoreButton(ctx, row, row.actions.restorable, act)]
          : h('span', { class: 'muted', text: 'cannot be used' }),
      ),
    ),
  );
}

function verifyButton(ctx: AppContext, row: BackupRowModel, act: Act): HTMLElement {
  return h('button', {
    class: 'btn btn-small',
    text: 'Verify',
    attrs: { type: 'button', 'aria-label': `Verify ${row.id}` },
    on: {
      click: async () => {
        const passphrase = row.encrypted ? await askPassphrase(`Verify ${row.id}`) : null;
        if (row.encrypted && passphrase === null) return;
        void act(() =>
          ctx.api.backups.verify({ id: row.id, ...(passphrase ? { passphrase } : {}) }),
        );
      },
    },
  });
}

function restoreButton(
  ctx: AppContext,
  row: BackupRowModel,
  restorable: boolean,
  act: Act,
): HTMLElement {
  return h('button', {
    class: 'btn btn-small btn-danger',
    text: 'Restore…',
    attrs: { type: 'button', 'aria-label': `Restore ${row.id}`, disabled: !restorable },
    on: {
      click: async () => {
        const passInput = h('input', { attrs: { type: 'password', autocomplete: 'off' } });
        const ok = await confirmTyped({
          title: `Restore ${row.id}?`,
          body: 'Restoring replaces the current data with this backup. Services using the data are paused while it runs. This cannot be undone, so take a backup first if you may need the current data.',
          phrase: row.id,
          confirmLabel: 'Restore',
          ...(row.encrypted ? { extra: textField('Passphrase', passInput) } : {}),
        });
        if (!ok) return;
        void act(() =>
          ctx.api.backups.restore({
            id: row.id,
            confirm: row.id,
            ...(passInput.value ? { passphrase: passInput.value } : {}),
          }),
        );
      },
    },
  });
}

function scheduleForm(ctx: AppContext, list: BackupList, messages: HTMLElement): HTMLElement {
  const s = list.schedule;
  const num = (value: number, min: number, step = 1) =>
    h('input', { attrs: { type: 'number', min, step, value, required: true } });
  const interval = num(s.intervalHours, 0, 0.5);
  const keepLast = num(s.keepLast, 0);
  const keepDaily = num(s.keepDaily, 0);
  const keepWeekly = num(s.keepWeekly, 0);
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const form = h(
    'form',
    { class: 'panel' },
    h('h2', { text: 'Schedule and retention' }),
    h('p', {
      class: 'muted',
      text: nextBackupText(s),
    }),
    h(
      'div',
      { class: 'grid-2' },
      textField('Every (hours, 0 = off)', interval),
      textField('Keep the newest', keepLast),
      textField('Keep daily (days)', keepDaily),
      textField('Keep weekly (weeks)', keepWeekly),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'btn', text: 'Save schedule', attrs: { type: 'submit' } }),
    ),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const saved = await ctx.api.backups.setSchedule({
        intervalHours: Number(interval.value),
        keepLast: Number(keepLast.value),
        keepDaily: Number(keepDaily.value),
        keepWeekly: Number(keepWeekly.value),
      });
      replace(status, info(scheduleSavedText(saved), 'success'));
      replace(messages);
    } catch (err) {
      replace(status, errorNotice(err));
    }
  });
  return form;
}
