/**
 * The Backups screen's list: one row per backup (backups-model.ts) with
 * Verify, and Restore behind a typed confirmation; and the line of a
 * running backup, verify or restore task.
 */
import type { TaskSnapshotDto } from '../../shared-contract/common.js';
import { askPassphrase, confirmTyped } from '../components/dialog.js';
import { textField } from '../components/field.js';
import { empty, errorNotice } from '../components/notice.js';
import { progressBar } from '../components/progress.js';
import { statusBadge } from '../components/status.js';
import type { AppContext } from '../context.js';
import { h, replace } from '../lib/dom.js';
import { coverageCell } from './backups-coverage.js';
import {
  BACKUP_COLUMNS,
  backupRow,
  listWords,
  taskLine,
  type BackupList,
  type BackupRowModel,
} from './backups-model.js';

export function renderTask(row: HTMLElement, task: TaskSnapshotDto): void {
  const line = taskLine(task);
  replace(
    row,
    h('p', {}, statusBadge(line.state), line.text),
    line.progress ? progressBar(task.title, line.progress.done, line.progress.total) : null,
    task.error ? errorNotice(task.error) : null,
  );
}

export function renderList(
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
