/**
 * Backups: the list with integrity, run now (optionally
 * encrypted), verify, restore behind a typed confirmation, and the schedule.
 * Running work shows as task progress pushed from main.
 */
import type { TaskSnapshotDto } from '../../shared-contract/common.js';
import { pageHeader } from '../components/page-header.js';
import { textField } from '../components/field.js';
import { errorNotice, withStates } from '../components/notice.js';
import type { Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { coveragePanel } from './backups-coverage.js';
import { renderList, renderTask } from './backups-list.js';
import { coverageLines, isBackupTask, taskLine } from './backups-model.js';
import { scheduleForm } from './backups-schedule.js';

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
