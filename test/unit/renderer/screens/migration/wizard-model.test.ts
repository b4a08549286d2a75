/**
 * The wizard's step list: the current step, steps behind it done, and the
 * dry run and run done only when they happened (a skipped dry run, a dry
 * run's report) — never while current; the announcement.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationReportDto } from '../../../../../shared-contract/methods/migration.js';
import type { WizardState } from '../../../../../renderer/screens/migration/state.js';
import { stepListModel } from '../../../../../renderer/screens/migration/wizard-model.js';

const report = (kind: MigrationReportDto['kind']) => ({ kind }) as MigrationReportDto;
/** Each step as id:mark. */
const marks = (state: Pick<WizardState, 'step' | 'dryRunDone' | 'report'>) =>
  stepListModel(state).items.map((i) => `${i.id}:${i.mark}`);

describe('step list', () => {
  it('the first step: current, the rest to do; numbered and announced', () => {
    const m = stepListModel({ step: 'pick' });
    expect(m.items.map((i) => [i.num, i.label])).toEqual([
      ['1', 'Pick file'],
      ['2', 'Inspect'],
      ['3', 'Plan'],
      ['4', 'Dry run'],
      ['5', 'Run'],
      ['6', 'Report'],
    ]);
    expect(marks({ step: 'pick' })).toEqual([
      'pick:current',
      'inspect:todo',
      'plan:todo',
      'dryrun:todo',
      'run:todo',
      'report:todo',
    ]);
    expect(m.announce).toBe('Step 1 of 6: Pick file');
  });

  it('steps behind the current one are done', () => {
    expect(marks({ step: 'plan' })).toEqual([
      'pick:done',
      'inspect:done',
      'plan:current',
      'dryrun:todo',
      'run:todo',
      'report:todo',
    ]);
    expect(stepListModel({ step: 'plan' }).announce).toBe('Step 3 of 6: Plan');
  });

  it('the dry run skipped: the run is current and the dry run not done', () => {
    expect(marks({ step: 'run' })).toEqual([
      'pick:done',
      'inspect:done',
      'plan:done',
      'dryrun:todo',
      'run:current',
      'report:todo',
    ]);
  });

  it('a dry run’s report: the dry run done, the run not made yet', () => {
    expect(marks({ step: 'report', dryRunDone: true, report: report('dry-run') })).toEqual([
      'pick:done',
      'inspect:done',
      'plan:done',
      'dryrun:done',
      'run:todo',
      'report:current',
    ]);
  });

  it('a run’s report: the run done; a dry run done earlier stays done back on the plan', () => {
    expect(marks({ step: 'report', report: report('run') })).toContain('run:done');
    // Back on the plan after a dry run: a step ahead that happened is done.
    expect(marks({ step: 'plan', dryRunDone: true })).toEqual([
      'pick:done',
      'inspect:done',
      'plan:current',
      'dryrun:done',
      'run:todo',
      'report:todo',
    ]);
  });

  it('the current step is never marked done, even when it happened', () => {
    expect(marks({ step: 'dryrun', dryRunDone: true })).toContain('dryrun:current');
    expect(marks({ step: 'run', report: report('run') })).toContain('run:current');
  });
});
