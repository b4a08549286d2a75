/**
 * Plan review: every source table and column with its target, and every
 * decision about what is not migrated as-is. What it says is computed in
 * plan-step-model.ts and the tables drawn by plan-tables.ts; this module
 * wires the plan file, the dry run and the navigation.
 */
import { textField } from '../../components/field.js';
import { errorNotice, info } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { planStepModel } from './plan-step-model.js';
import { decisionsList, planTablesTable } from './plan-tables.js';
import { lost, stepHeading } from './steps.js';
import { targetPanel } from './target-panel.js';
import type { StepApi } from './wizard.js';

export function planStep(api: StepApi): HTMLElement {
  const p = api.state.plan;
  const s = api.state.summary;
  if (!p || !s) return lost(api);
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const planInput = h('input', {
    attrs: {
      type: 'text',
      spellcheck: 'false',
      placeholder: '/path/to/plan.json',
      value: api.state.planFile ?? '',
      name: 'plan-file',
    },
  });
  const usePlan = h('button', {
    class: 'btn',
    text: 'Use this plan file',
    attrs: { type: 'button' },
  });
  usePlan.addEventListener('click', async () => {
    const planFile = planInput.value.trim();
    try {
      const plan = await api.ctx.api.migration.planPreview({
        sessionId: s.sessionId,
        ...(planFile ? { planFile } : {}),
      });
      api.go('plan', { plan, planFile });
    } catch (err) {
      replace(status, errorNotice(err));
    }
  });
  const dry = h('button', {
    class: 'btn btn-primary',
    text: 'Start the dry run',
    attrs: { type: 'button' },
  });
  dry.addEventListener('click', async () => {
    dry.disabled = true;
    try {
      const { taskId } = await api.ctx.api.migration.dryRun({ sessionId: s.sessionId });
      api.go('dryrun', { taskId, report: undefined });
    } catch (err) {
      replace(status, errorNotice(err));
      dry.disabled = false;
    }
  });
  // The dry run works whatever the target holds (it writes nothing, and says what it found).
  const target = targetPanel(api, () => undefined);
  void target.refresh();
  const m = planStepModel(p, api.state.targetChanged);
  return h(
    'div',
    {},
    stepHeading('Where everything goes'),
    m.targetChangedWarning ? info(m.targetChangedWarning, 'warning') : null,
    h('p', {}, m.intro),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'PostgreSQL target' }),
      h('dd', { class: 'mono', text: m.postgresTarget }),
      h('dt', { text: 'MongoDB target' }),
      h('dd', { class: 'mono', text: m.mongoTarget }),
    ),
    m.hasPostgres
      ? target.element
      : info(
          'The dry run works without a target. To run the migration, set PostgreSQL up in Setup first.',
          'warning',
        ),
    planTablesTable(m.tables),
    ...decisionsList(m.decisionsHeading, m.decisions),
    h(
      'details',
      { class: 'panel' },
      h('summary', { text: 'Use a plan file instead' }),
      textField('Plan file (JSON)', planInput),
      usePlan,
    ),
    status,
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: 'Back',
        attrs: { type: 'button' },
        on: { click: () => api.go('inspect') },
      }),
      h('button', {
        class: 'btn',
        text: 'Skip to the run',
        attrs: { type: 'button' },
        on: { click: () => api.go('run', { taskId: undefined }) },
      }),
      dry,
    ),
  );
}
