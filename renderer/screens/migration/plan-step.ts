/** Plan review: every source table and column with its target, and every decision about what is not migrated as-is. */
import { textField } from '../../components/field.js';
import { errorNotice, info } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { formatCount } from '../../lib/format.js';
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
  const origin = {
    builtin: 'the built-in Nova plan',
    auto: 'an automatic plan',
    file: 'your plan file',
  }[p.planOrigin];
  return h(
    'div',
    {},
    stepHeading('Where everything goes'),
    api.state.targetChanged
      ? info(
          `The target changed in Setup since this plan was made (it was ${api.state.targetChanged.from ?? 'none'}). The plan below is made for ${api.state.targetChanged.to ?? 'no PostgreSQL'}; run the dry run again.`,
          'warning',
        )
      : null,
    h(
      'p',
      {},
      `Plan "${p.planName}" (${origin}). Every source table and column is listed below with its target; anything not migrated as-is is explained under Decisions.`,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'PostgreSQL target' }),
      h('dd', {
        class: 'mono',
        text:
          p.destinations.postgres ?? 'not configured — choose PostgreSQL in Setup before running',
      }),
      h('dt', { text: 'MongoDB target' }),
      h('dd', {
        class: 'mono',
        text: p.destinations.mongo ?? 'none (documents stay in the relational store)',
      }),
    ),
    p.destinations.postgres
      ? target.element
      : info(
          'The dry run works without a target. To run the migration, set PostgreSQL up in Setup first.',
          'warning',
        ),
    h(
      'table',
      { class: 'table' },
      h('caption', { text: 'Tables in load order' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Source table', 'Rows', 'Target', 'Columns'].map((t) =>
            h('th', { attrs: { scope: 'col' }, text: t }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        p.tables.map((t) =>
          h(
            'tr',
            {},
            h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.source }),
            h('td', { class: 'num', text: formatCount(t.rows) }),
            h(
              'td',
              {},
              h('span', { class: 'mono', text: t.target.name }),
              h('span', {
                class: 'hint block',
                text: `${t.target.kind === 'postgres' ? 'PostgreSQL table' : 'MongoDB collection'}${t.origin === 'auto' ? ', mapped automatically' : ''}`,
              }),
            ),
            h(
              'td',
              {},
              h(
                'details',
                {},
                h('summary', {
                  text: `${t.columns.length} columns${t.extra ? ` + ${t.extra.sources.length} into ${t.extra.target}` : ''}`,
                }),
                h(
                  'div',
                  { class: 'table-scroll' },
                  h(
                    'table',
                    { class: 'table table-inner' },
                    h(
                      'thead',
                      {},
                      h(
                        'tr',
                        {},
                        ['Source', 'Target', 'Cast', 'Type', 'Null'].map((x) =>
                          h('th', { attrs: { scope: 'col' }, text: x }),
                        ),
                      ),
                    ),
                    h(
                      'tbody',
                      {},
                      t.columns.map((c) =>
                        h(
                          'tr',
                          {},
                          h('td', { class: 'mono', text: c.source }),
                          h('td', { class: 'mono', text: c.target }),
                          h('td', { text: c.cast }),
                          h('td', { class: 'mono', text: c.targetType }),
                          h('td', { text: c.nullable ? 'yes' : 'no' }),
                        ),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
    h('h3', { text: `Decisions (${p.decisions.length})` }),
    p.decisions.length
      ? h(
          'ul',
          { class: 'decisions' },
          p.decisions.map((d) =>
            h(
              'li',
              {},
              h('span', { class: 'tag', text: d.decision }),
              ' ',
              h('span', { class: 'mono', text: d.column ? `${d.table}.${d.column}` : d.table }),
              `: ${d.reason}`,
            ),
          ),
        )
      : h('p', { class: 'muted', text: 'None: every table and column is migrated as listed.' }),
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
