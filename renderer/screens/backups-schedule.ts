/** The Backups screen's schedule and retention form. */
import { textField } from '../components/field.js';
import { errorNotice, info } from '../components/notice.js';
import type { AppContext } from '../context.js';
import { h, replace } from '../lib/dom.js';
import { nextBackupText, scheduleSavedText, type BackupList } from './backups-model.js';

export function scheduleForm(
  ctx: AppContext,
  list: BackupList,
  messages: HTMLElement,
): HTMLElement {
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
