/**
 * "Target database": where the run writes and whether it can: a target
 * that already holds rows, another migration recorded in it, or a stopped
 * attempt of this file — each with what the admin can do about it here
 * (empty those tables, keep their rows, Resume, Discard this attempt) or in
 * Setup (a new, empty database). What it says is computed in
 * target-panel-model.ts; this module draws it and wires the actions.
 */
import type { TargetCheckDto } from '../../../shared-contract/methods/migration-wizard.js';
import { confirmTyped } from '../../components/dialog.js';
import { errorNotice, info, loading } from '../../components/notice.js';
import { statusBadge } from '../../components/status.js';
import { h, replace } from '../../lib/dom.js';
import { targetPanelModel, type OccupiedModel } from './target-panel-model.js';
import type { StepApi } from './wizard.js';

export interface TargetPanel {
  element: HTMLElement;
  /** Resolves with the latest check (after any action the admin took). */
  refresh(): Promise<TargetCheckDto | null>;
}

/**
 * `onChange` hears every new check, so the step can enable its primary
 * button only when the run can start. `resume` is offered for a stopped
 * attempt (the step passes its own start-the-resume action).
 */
export function targetPanel(
  api: StepApi,
  onChange: (check: TargetCheckDto) => void,
  resume?: () => void,
): TargetPanel {
  const sessionId = api.state.summary!.sessionId;
  const body = h('div', {}, loading('the target database'));
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const element = h(
    'section',
    { class: 'panel target-panel', attrs: { 'aria-labelledby': 'target-h' } },
    h('h3', { id: 'target-h', text: 'Target database' }),
    body,
    status,
  );

  const act = async (button: HTMLButtonElement, work: () => Promise<TargetCheckDto>) => {
    button.disabled = true;
    replace(status);
    try {
      show(await work());
    } catch (err) {
      replace(status, errorNotice(err));
      button.disabled = false;
    }
  };

  const show = (c: TargetCheckDto) => {
    onChange(c);
    const m = targetPanelModel(c);
    if (m.kind === 'no-target') {
      replace(
        body,
        info(
          'There is no PostgreSQL to migrate into: the data services run embedded. Choose PostgreSQL in Setup first.',
          'warning',
        ),
        h('p', {}, h('a', { attrs: { href: '#/setup' }, text: 'Open Setup' })),
      );
      return;
    }
    const parts: (HTMLElement | null)[] = [
      h(
        'p',
        {},
        statusBadge(m.badge.status, m.badge.label),
        ' The run writes into ',
        h('strong', { class: 'mono', text: m.target }),
        '.',
      ),
    ];
    if (m.skipExistingHint)
      parts.push(
        h('p', {
          class: 'hint',
          text: 'Rows that already exist in the target are kept; the source’s rows with the same key are skipped and counted.',
        }),
      );
    if (m.unfinished !== null) parts.push(unfinishedNotice(m.unfinished));
    if (m.completed)
      parts.push(
        info(
          'This file was already migrated from this machine. To migrate it again, choose a new, empty database in Setup.',
          'warning',
        ),
      );
    for (const b of m.blockers) parts.push(info(b, 'warning'));
    if (m.occupied) parts.push(occupiedNotice(m.occupied));
    replace(body, ...parts);
  };

  const unfinishedNotice = (text: string): HTMLElement => {
    const discard = h('button', {
      class: 'btn btn-danger',
      text: 'Discard this attempt',
      attrs: { type: 'button' },
    });
    discard.addEventListener('click', async () => {
      const ok = await confirmTyped({
        title: 'Discard this attempt?',
        body: 'Nova forgets where the stopped run got to, so a new run can start. Rows it already wrote stay in the target; you can then empty those tables here.',
        phrase: 'DISCARD',
        confirmLabel: 'Discard this attempt',
      });
      if (ok) await act(discard, () => api.ctx.api.migration.discard({ sessionId }));
    });
    return h(
      'div',
      { class: 'notice notice-warning' },
      h('p', { text }),
      h(
        'div',
        { class: 'actions' },
        resume
          ? h('button', {
              class: 'btn btn-primary',
              text: 'Resume',
              attrs: { type: 'button' },
              on: { click: resume },
            })
          : null,
        discard,
      ),
    );
  };

  const occupiedNotice = (o: OccupiedModel): HTMLElement => {
    const empty = h('button', {
      class: 'btn btn-danger',
      text: o.emptyLabel,
      attrs: { type: 'button' },
    });
    empty.addEventListener('click', async () => {
      const ok = await confirmTyped({
        title: 'Empty these tables?',
        body: o.emptyConfirm,
        phrase: 'EMPTY',
        confirmLabel: 'Empty the tables',
      });
      if (ok)
        await act(empty, () =>
          api.ctx.api.migration.prepareTarget({
            sessionId,
            action: 'empty-tables',
            confirm: 'EMPTY',
          }),
        );
    });
    const keep = h('button', {
      class: 'btn',
      text: 'Keep their rows, skip the source’s',
      attrs: { type: 'button' },
    });
    keep.addEventListener('click', () =>
      act(keep, () => api.ctx.api.migration.prepareTarget({ sessionId, action: 'skip-existing' })),
    );
    return h(
      'div',
      { class: 'notice notice-warning', dataset: { occupied: 'true' } },
      h('p', { text: 'The target database is not empty where the plan writes:' }),
      h(
        'ul',
        {},
        o.items.map((i) => h('li', {}, h('span', { class: 'mono', text: i.table }), i.rows)),
      ),
      h('p', { text: 'Choose one:' }),
      h(
        'div',
        { class: 'actions' },
        h('a', {
          class: 'btn',
          attrs: { href: '#/setup' },
          text: 'Use a new, empty database (Setup)',
        }),
        empty,
        o.offerKeep ? keep : null,
      ),
    );
  };

  const refresh = async (): Promise<TargetCheckDto | null> => {
    try {
      const c = await api.ctx.api.migration.targetCheck({ sessionId });
      show(c);
      return c;
    } catch (err) {
      replace(
        body,
        errorNotice(err, () => void refresh()),
      );
      return null;
    }
  };
  return { element, refresh };
}
