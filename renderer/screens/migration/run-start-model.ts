/**
 * What is offered around a dry run or run, as pure functions of the target
 * check and the task: whether Start is offered (and why not), where Back
 * goes, what is announced when the task ends, and after a stop the notice
 * (a cancellation warns, a failure shows the task's error) and whether
 * Resume and Discard are offered (a run only). run-start.ts and
 * run-step.ts wire them.
 */
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import type { TargetCheckDto } from '../../../shared-contract/methods/migration-wizard.js';
import type { RunKind } from './run-step-model.js';

/** What the view says to assistive tech when the task ends. */
export function endAnnouncement(kind: RunKind, task: TaskSnapshotDto): string {
  const what = kind === 'dry-run' ? 'Dry run' : 'Migration';
  return task.state === 'succeeded' ? `${what} finished` : `${what} ${task.state}`;
}

/**
 * After a stop: a cancellation is a warning (a run says Resume continues),
 * a failure shows the task's error; a run also offers the target panel with
 * Resume and Discard.
 */
export type StoppedModel = {
  notice:
    | { kind: 'cancelled'; text: string }
    | { kind: 'failed'; error: NonNullable<TaskSnapshotDto['error']> };
  offerResume: boolean;
};

export function stoppedModel(kind: RunKind, task: TaskSnapshotDto): StoppedModel {
  return {
    notice:
      task.state === 'cancelled'
        ? {
            kind: 'cancelled',
            text:
              kind === 'run'
                ? 'The migration was cancelled; its checkpoint is kept, so Resume continues where it stopped.'
                : 'The dry run was cancelled.',
          }
        : {
            kind: 'failed',
            error: task.error ?? { name: 'Error', code: 'INTERNAL', message: 'The task failed.' },
          },
    offerResume: kind === 'run',
  };
}

/** Start the migration only on a ready target with no attempt recorded; else say why not. */
export function startButton(check: TargetCheckDto): { disabled: boolean; title: string } {
  const disabled = !check.ready || check.attempt.status !== 'none';
  return { disabled, title: disabled ? 'Decide about the target database above first.' : '' };
}

/** Before the run: back to the report when there is one (a dry run's), else to the plan. */
export function startBack(hasReport: boolean): { text: string; step: 'report' | 'plan' } {
  return hasReport
    ? { text: 'Back to the report', step: 'report' }
    : { text: 'Back to the plan', step: 'plan' };
}
