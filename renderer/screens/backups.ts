/**
 * Backups (SPEC §7): the list with integrity, run now (optionally
 * encrypted), verify, restore behind a typed confirmation, and the schedule.
 * Running work shows as task progress pushed from main.
 */
import type { z } from 'zod';
import type { backupListSchema } from '../../shared-contract/methods/backups.js';
import type { TaskSnapshotDto } from '../../shared-contract/common.js';
import { pageHeader } from '../app-shell.js';
import { askPassphrase, confirmTyped } from '../components/dialog.js';
import { textField } from '../components/field.js';
import { empty, errorNotice, info, withStates } from '../components/notice.js';
import { progressBar } from '../components/progress.js';
import { statusBadge } from '../components/status.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import { coverageCell, coveragePanel } from './backups-coverage.js';

type BackupList = z.infer<typeof backupListSchema>;

const PART_LABEL: Record<string, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
};

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
    if (!task.kind.startsWith('backup')) return;
    let row = track.get(task.id);
    if (!row) {
      row = h('div', { class: 'task' });
      track.set(task.id, row);
      tasksHost.prepend(row);
    }
    const p = task.progress;
    const done =
      task.state === 'succeeded' ? (task.result as { name?: string } | undefined)?.name : undefined;
    replace(
      row,
      h(
        'p',
        {},
        statusBadge(task.state),
        ` ${task.title}`,
        task.state === 'running'
          ? ` — ${p.phase}${p.item ? `: ${p.item}` : ''}`
          : done
            ? ` — ${done}`
            : '',
      ),
      task.state === 'running' ? progressBar(task.title, p.done, p.total) : null,
      task.error ? errorNotice(task.error) : null,
    );
    if (task.state !== 'running' && task.state !== 'pending') {
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
      replace(coverageHost, coveragePanel(list));
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

function renderList(
  ctx: AppContext,
  list: BackupList,
  messages: HTMLElement,
  showTask: (t: TaskSnapshotDto) => void,
): Node {
  if (list.backups.length === 0)
    return empty('No backups yet.', `They are written to ${list.dir}.`);
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
    h('caption', { class: 'muted', text: `In ${list.dir}, newest first` }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          'Backup',
          'Created',
          'Size',
          'Contents',
          'Current setup',
          'Encrypted',
          'State',
          'Actions',
        ].map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
      ),
    ),
    h(
      'tbody',
      {},
      list.backups.map((b) => {
        return h(
          'tr',
          { dataset: { backup: b.id } },
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: b.id }),
          h(
            'td',
            {},
            formatTime(b.createdAt),
            b.reason && b.reason !== 'manual'
              ? h('span', {
                  class: 'hint block',
                  text: b.reason === 'pre-migration' ? 'before a migration' : b.reason,
                })
              : null,
          ),
          h('td', { class: 'num', text: formatBytes(b.sizeBytes) }),
          h('td', { text: b.parts.map((p) => PART_LABEL[p] ?? p).join(', ') }),
          h('td', {}, coverageCell(b)),
          h('td', { text: b.encrypted ? 'yes' : 'no' }),
          h(
            'td',
            {},
            !b.intact
              ? [
                  statusBadge('down', 'Damaged'),
                  b.problem ? h('span', { class: 'hint block', text: forScreen(b.problem) }) : null,
                ]
              : b.verifiedAt
                ? [
                    statusBadge('ok', 'Verified'),
                    h('span', { class: 'hint block', text: formatTime(b.verifiedAt) }),
                  ]
                : statusBadge('unknown', 'Not verified yet'),
          ),
          h(
            'td',
            {},
            // Flex inside the cell, not on it: a flex <td> stops being a table cell and its borders break.
            h(
              'div',
              { class: 'row-actions' },
              !b.intact
                ? h('span', { class: 'muted', text: 'cannot be used' })
                : [
                    h('button', {
                      class: 'btn btn-small',
                      text: 'Verify',
                      attrs: { type: 'button', 'aria-label': `Verify ${b.id}` },
                      on: {
                        click: async () => {
                          const passphrase = b.encrypted
                            ? await askPassphrase(`Verify ${b.id}`)
                            : null;
                          if (b.encrypted && passphrase === null) return;
                          void act(() =>
                            ctx.api.backups.verify({
                              id: b.id,
                              ...(passphrase ? { passphrase } : {}),
                            }),
                          );
                        },
                      },
                    }),
                    h('button', {
                      class: 'btn btn-small btn-danger',
                      text: 'Restore…',
                      // A backup of an earlier setup has nothing for the databases in use now.
                      attrs: {
                        type: 'button',
                        'aria-label': `Restore ${b.id}`,
                        disabled: !b.covers,
                      },
                      on: {
                        click: async () => {
                          const passInput = h('input', {
                            attrs: { type: 'password', autocomplete: 'off' },
                          });
                          const ok = await confirmTyped({
                            title: `Restore ${b.id}?`,
                            body: 'Restoring replaces the current data with this backup. Services using the data are paused while it runs. This cannot be undone, so take a backup first if you may need the current data.',
                            phrase: b.id,
                            confirmLabel: 'Restore',
                            ...(b.encrypted ? { extra: textField('Passphrase', passInput) } : {}),
                          });
                          if (!ok) return;
                          void act(() =>
                            ctx.api.backups.restore({
                              id: b.id,
                              confirm: b.id,
                              ...(passInput.value ? { passphrase: passInput.value } : {}),
                            }),
                          );
                        },
                      },
                    }),
                  ],
            ),
          ),
        );
      }),
    ),
  );
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
      text: s.nextAt ? `Next backup: ${formatTime(s.nextAt)}` : 'No scheduled backups.',
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
      replace(
        status,
        info(
          saved.intervalHours > 0
            ? `Saved: every ${saved.intervalHours} h.`
            : 'Saved: scheduled backups are off.',
          'success',
        ),
      );
      replace(messages);
    } catch (err) {
      replace(status, errorNotice(err));
    }
  });
  return form;
}
