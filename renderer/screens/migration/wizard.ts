/**
 * The migration wizard (main/core/migrate/README.md, docs/ARCHITECTURE.md#user-interfaces): pick file → inspect summary → plan
 * review (what goes where) → dry run → run with per-table progress → report.
 * Each step is a function of the wizard state; moving on saves the state.
 * Which steps the list marks done is wizard-model.ts's, drawn by
 * step-list.ts; this module wires the steps and the target-change check.
 */
import { pageHeader } from '../../components/page-header.js';
import type { AppContext, Screen } from '../../context.js';
import { h, replace } from '../../lib/dom.js';
import { planStep } from './plan-step.js';
import { inspectStep, pickStep } from './steps.js';
import { runStep } from './run-step.js';
import { reportStep } from './report-view.js';
import { clearState, loadState, saveState, type StepId, type WizardState } from './state.js';
import { stepListItems } from './step-list.js';
import { stepListModel } from './wizard-model.js';

export interface StepApi {
  ctx: AppContext;
  state: WizardState;
  /** Saves `patch` into the state and shows `step`. */
  go(step: StepId, patch?: Partial<WizardState>): void;
  restart(): void;
  /** Registers cleanup for when the step is left. */
  onLeave(fn: () => void): void;
}

type StepView = (api: StepApi) => HTMLElement;

const VIEWS: Record<StepId, StepView> = {
  pick: pickStep,
  inspect: inspectStep,
  plan: planStep,
  dryrun: (api) => runStep(api, 'dry-run'),
  run: (api) => runStep(api, 'run'),
  report: reportStep,
};

export const migrationScreen: Screen = (ctx, host) => {
  let state = loadState();
  let leaving: (() => void)[] = [];
  const steps = h('ol', { class: 'steps', attrs: { 'aria-label': 'Migration steps' } });
  const body = h('div', { class: 'step-body' });
  host.append(
    pageHeader(
      'Migration',
      'Move the legacy SQLite database into the configured PostgreSQL (and MongoDB). Nothing is written before the Run step.',
    ),
    steps,
    body,
  );

  const show = (focus: boolean) => {
    for (const fn of leaving.splice(0)) fn();
    const list = stepListModel(state);
    replace(steps, ...stepListItems(list.items));
    const api: StepApi = {
      ctx,
      state,
      go: (step, patch = {}) => {
        state = { ...state, targetChanged: undefined, applied: undefined, ...patch, step };
        saveState(state);
        show(true);
      },
      restart: () => {
        clearState();
        state = loadState();
        show(true);
      },
      onLeave: (fn) => leaving.push(fn),
    };
    replace(body, VIEWS[state.step](api));
    if (focus) body.querySelector<HTMLElement>('h2')?.focus();
    ctx.announce(list.announce);
    void resetIfTargetChanged();
  };

  /**
   * Setup may have moved PostgreSQL since the plan was made (even before a
   * reload): then the plan is made again for the new target and the dry run
   * and its report are dropped, so the wizard never names the old database.
   * A finished run's report is kept: it tells where that run wrote.
   */
  const resetIfTargetChanged = async () => {
    const seen = state;
    if (!seen.summary || !seen.plan || seen.taskId || seen.report?.kind === 'run') return;
    const sessionId = seen.summary.sessionId;
    try {
      const check = await ctx.api.migration.targetCheck({ sessionId });
      if (check.target === seen.plan.destinations.postgres || state !== seen) return;
      const plan = await ctx.api.migration.planPreview({
        sessionId,
        ...(seen.planFile ? { planFile: seen.planFile } : {}),
      });
      if (state !== seen) return;
      state = {
        ...seen,
        step: 'plan',
        plan,
        report: undefined,
        dryRunDone: undefined,
        targetChanged: { from: seen.plan.destinations.postgres, to: check.target },
      };
      saveState(state);
      show(false);
    } catch {
      // A session Nova no longer has: the step itself says so and offers to start again.
    }
  };
  show(false);
  return () => {
    for (const fn of leaving) fn();
    leaving = [];
  };
};
