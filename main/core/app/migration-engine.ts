/**
 * The migration use case (core/use-cases/migrate.ts: dry run, run with the
 * target backed up before the first write, resume) as the wizard uses it:
 * each as a Task on the runtime's registry, writing into the services of the
 * running setup, and the report kept on the session for migration.report. The job directory is derived from the source file, as
 * the CLI does, so a run cancelled here — or in a Nova that was restarted
 * since — is resumed from its checkpoints.
 */
import path from 'node:path';
import type { MigrationReportDto } from '../../../shared-contract/index.js';
import { NovaError } from '../errors.js';
import type { MigrationReport } from '../migrate/report.js';
import type { Task } from '../tasks/task.js';
import {
  dryRunMigration,
  runMigrationWithBackup,
  type MigrationTargets,
} from '../use-cases/migrate.js';
import type { AppRuntime } from './app-runtime.js';
import type { MigrationSession } from './migration-sessions.js';

/** The engine's report in the contract's shape (extra fields are stripped by the output schema). */
export function reportDto(sessionId: string, r: MigrationReport): MigrationReportDto {
  return {
    sessionId,
    kind: r.kind,
    ok: r.ok,
    source: r.source,
    target: [r.destinations.postgres, r.destinations.mongo].filter(Boolean).join(' + ') || r.target,
    tables: r.tables,
    rejects: r.rejects,
    rejectsTotal: r.rejectsTotal,
    rejectsFile: r.rejectsFile,
    rejectGroups: r.rejectGroups,
    changeGroups: r.changeGroups,
    ...(r.rules ? { rules: r.rules } : {}),
    changesFile: r.changesFile,
    reportDir: r.reportDir,
    backup: r.backup,
    resumed: r.resumed,
    warnings: r.warnings,
    durationMs: r.durationMs,
  };
}

/** Only one migration writes at a time: two runs into the same target would fight over it. */
export function assertNoMigrationRunning(rt: AppRuntime): void {
  const running = rt.tasks
    .list()
    .find(
      (t) => t.kind.startsWith('migration.') && (t.state === 'running' || t.state === 'pending'),
    );
  if (running) {
    throw new NovaError('INVALID_ARGUMENT', `"${running.title}" is still running.`, {
      fix: 'Wait for it to finish or cancel it first.',
    });
  }
}

/** `target`: where the run would write, as the plan review showed it (the engine's dry run connects to nothing). */
export function startDryRun(
  rt: AppRuntime,
  session: MigrationSession,
  target: string | null,
): Task<unknown> {
  const planFile = session.plan?.file;
  return rt.tasks.run(
    'migration.dry-run',
    `Dry run of ${path.basename(session.file)}`,
    async (ctx) => {
      const report = await dryRunMigration(
        {
          config: rt.config,
          source: session.file,
          reportDir: path.join(session.workDir, 'dry-run'),
          ...(planFile ? { planFile } : {}),
        },
        ctx,
      );
      const dto = reportDto(session.id, report);
      session.lastReport = target ? { ...dto, target } : dto;
      return { sessionId: session.id, ok: report.ok, rejectsTotal: report.rejectsTotal };
    },
  );
}

export function startRun(
  rt: AppRuntime,
  session: MigrationSession,
  resume: boolean,
): Task<unknown> {
  const targets = targetUrls(rt);
  const { config } = rt;
  const planFile = session.plan?.file;
  const title = `${resume ? 'Resume migration of' : 'Migration of'} ${path.basename(session.file)}`;
  return rt.tasks.run('migration.run', title, async (ctx) => {
    const report = await runMigrationWithBackup(
      {
        config,
        targets,
        source: session.file,
        ...(planFile ? { planFile } : {}),
        ...(resume ? { resume: true } : {}),
        onBackup: (backup) =>
          rt.logger.info('backed up the migration target before writing', { backup }),
      },
      ctx,
    );
    session.lastReport = reportDto(session.id, report);
    // The new tables and sizes should show on the dashboard now.
    void rt.layer.monitor.runNow();
    return { sessionId: session.id, ok: report.ok, rejectsTotal: report.rejectsTotal };
  });
}

/**
 * Where the run writes: the PostgreSQL (and MongoDB) of the running setup.
 * The embedded profile has no PostgreSQL to migrate into — say so instead of
 * failing deep inside the engine.
 */
function targetUrls(rt: AppRuntime): MigrationTargets & { postgresUrl: string } {
  const { factory, backends, endpoints } = rt.layer;
  const postgresUrl = endpoints.postgres ?? rt.config.POSTGRES_URL;
  if (factory?.dialect !== 'postgres' || !postgresUrl) {
    throw new NovaError(
      'CONFIG_INVALID',
      'There is no PostgreSQL to migrate into: the data layer runs on embedded SQLite.',
      {
        fix: 'Open Setup, choose PostgreSQL (native, docker or external), save, then run the migration.',
      },
    );
  }
  const mongoUrl = backends?.documentsRemote
    ? (endpoints.mongo ?? rt.config.MONGODB_URL)
    : undefined;
  return { postgresUrl, ...(mongoUrl ? { mongoUrl } : {}) };
}
