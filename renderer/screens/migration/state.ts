/**
 * The wizard's state, kept in this tab's sessionStorage so a reload (or
 * coming back from another screen) continues where the admin was; the
 * session itself lives in main, named by its id.
 */
import type {
  InspectSummaryDto,
  MigrationRulesInput,
  MigrationReportDto,
  PlanPreviewDto,
} from '../../../shared-contract/methods/migration.js';

export const STEPS = [
  { id: 'pick', label: 'Pick file' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'plan', label: 'Plan' },
  { id: 'dryrun', label: 'Dry run' },
  { id: 'run', label: 'Run' },
  { id: 'report', label: 'Report' },
] as const;
export type StepId = (typeof STEPS)[number]['id'];

export interface WizardState {
  step: StepId;
  file: string;
  summary?: InspectSummaryDto;
  plan?: PlanPreviewDto;
  planFile?: string;
  /** The dry run or run in progress. */
  taskId?: string;
  report?: MigrationReportDto;
  /** A dry run of this file finished (the dry-run step may also be skipped). */
  dryRunDone?: boolean;
  /** Rules chosen on the dry run's report, which the run uses. */
  rules?: MigrationRulesInput;
  /** What the last "Apply fixed rejects" did, shown above the new report. */
  applied?: { applied: number; stillRejected: number };
  /** Setup changed the target since the plan was made: the plan was made again for the new one. */
  targetChanged?: { from: string | null; to: string | null };
}

const KEY = 'nova.migrationWizard';

export function loadState(): WizardState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return JSON.parse(raw) as WizardState;
  } catch {
    // a damaged entry just starts the wizard over
  }
  return { step: 'pick', file: '' };
}

export function saveState(state: WizardState): void {
  sessionStorage.setItem(KEY, JSON.stringify(state));
}

export function clearState(): void {
  sessionStorage.removeItem(KEY);
}
