/**
 * The wizard's step list as plain data: which step is current, which are
 * done, and what is announced on arriving at a step. Only what really
 * happened is done: the dry run can be skipped and the run not yet made,
 * so those two are done by the state (a finished dry run, a run's report),
 * not by being behind the current step. Pure: wizard.ts draws and wires it.
 */
import { STEPS, type StepId, type WizardState } from './state.js';

/** `todo`: neither done nor current (ahead, or the dry run skipped). */
export type StepMark = 'done' | 'current' | 'todo';

export interface StepItem {
  id: StepId;
  /** The number shown (1-based). */
  num: string;
  label: string;
  mark: StepMark;
}

export interface StepListModel {
  items: StepItem[];
  /** What the screen reader hears on arriving at the step. */
  announce: string;
}

export function stepListModel(
  state: Pick<WizardState, 'step' | 'dryRunDone' | 'report'>,
): StepListModel {
  const index = STEPS.findIndex((s) => s.id === state.step);
  const isDone = (id: StepId, i: number): boolean =>
    id === 'dryrun'
      ? state.dryRunDone === true
      : id === 'run'
        ? state.report?.kind === 'run'
        : i < index;
  return {
    items: STEPS.map((s, i) => ({
      id: s.id,
      num: String(i + 1),
      label: s.label,
      mark: i === index ? 'current' : isDone(s.id, i) ? 'done' : 'todo',
    })),
    announce: `Step ${index + 1} of ${STEPS.length}: ${STEPS[index]!.label}`,
  };
}
