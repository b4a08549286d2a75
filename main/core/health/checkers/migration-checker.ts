/**
 * An unfinished migration is a data-safety problem, not only a UI state:
 * the target holds part of the legacy data and the Nova API must not be
 * pointed at it yet. Reported (degraded) until the run is resumed to the
 * end or the attempt is discarded; a run in progress is not "unfinished".
 */
import type { CheckResult, HealthChecker } from '../types.js';

export interface UnfinishedMigration {
  /** The legacy file the job migrates. */
  source: string;
  status: 'running' | 'failed';
  startedAt: string;
}

export interface MigrationStateSource {
  /** Migration jobs on disk that did not complete. */
  unfinished(): Promise<UnfinishedMigration[]>;
  /** A migration task is running in this process right now. */
  running(): boolean;
}

export function migrationChecker(source: MigrationStateSource): HealthChecker {
  return {
    id: 'migration',
    service: 'migration',
    label: 'Migration',
    applicable: () => true,
    check: () => checkMigration(source),
  };
}

async function checkMigration(source: MigrationStateSource): Promise<CheckResult> {
  if (source.running()) {
    return {
      status: 'ok',
      latencyMs: null,
      detail: 'A migration is running.',
      metrics: { migrations_unfinished: 0 },
    };
  }
  const jobs = await source.unfinished();
  const metrics = { migrations_unfinished: jobs.length };
  if (jobs.length === 0) {
    return { status: 'ok', latencyMs: null, detail: 'No unfinished migration.', metrics };
  }
  const first = jobs[0]!;
  const name = first.source.split(/[\\/]/).pop() ?? first.source;
  const how = first.status === 'failed' ? 'failed' : 'stopped';
  return {
    status: 'degraded',
    latencyMs: null,
    detail: `The migration of ${name} started ${first.startedAt} ${how} before it finished${jobs.length > 1 ? ` (and ${jobs.length - 1} more)` : ''}; the target holds only part of the data.`,
    fix: 'Open Migration and resume it, or discard the attempt.',
    metrics,
  };
}
