/**
 * The migration use case (core/use-cases/migrate.ts: dry run, run with the
 * target backed up before the first write, resume) as the wizard uses it:
 * each as a Task on the runtime's registry, writing into the services of the
 * running setup, and the report kept on the session for migration.report. The job directory is derived from the source file, as
 * the CLI does, so a run cancelled here — or in a Nova that was restarted
 * since — is resumed from its checkpoints.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationReportDto, MigrationRules } from '../../../shared-contract/index.js';
import { NovaError } from '../errors.js';
import type { MigrationReport } from '../migrate/report.js';
import type { Task } from '../tasks/task.js';
import {
  applyFixedRejects,
  dryRunMigration,
  runMigrationWithBackup,
  type ApplyRejectsRequest,
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

/** The session's rules, for the dry run, the run and a resume. */
function rulesOf(session: MigrationSession): { rules?: MigrationRules } {
  return session.rules ? { rules: session.rules } : {};
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
  targetWarnings: string[] = [],
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
          ...rulesOf(session),
        },
        ctx,
      );
      const dto = reportDto(session.id, report);
      const withTarget = target ? { ...dto, target } : dto;
      session.lastReport = targetWarnings.length
        ? {
            ...withTarget,
            ok: false,
            warnings: [...targetWarnings, ...(withTarget.warnings ?? [])],
          }
        : withTarget;
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
        ...rulesOf(session),
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
export function targetUrls(rt: AppRuntime): MigrationTargets & { postgresUrl: string } {
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

export interface RejectEdits {
  rules?: MigrationRules | undefined;
  edits?: { line: number; row: Record<string, unknown> }[] | undefined;
}

/**
 * The rejects file with the admin's edits in place (each replaces values of
 * the line's `row`); the rules go to the engine, which records each use.
 */
export function editedRejects(raw: string, { edits }: RejectEdits): string {
  const lines = raw.split('\n').filter((l) => l.trim() !== '');
  const byLine = new Map((edits ?? []).map((e) => [e.line, e.row]));
  for (const e of edits ?? []) {
    if (e.line > lines.length)
      throw new NovaError(
        'INVALID_ARGUMENT',
        `Row ${e.line} of the rejected rows does not exist (there are ${lines.length}).`,
        { fix: 'Reload the rejected rows and edit them again.' },
      );
  }
  return (
    lines
      .map((text, i) => {
        const edited = byLine.get(i + 1);
        if (!edited) return text;
        const record = JSON.parse(text) as { row: Record<string, unknown> };
        record.row = { ...record.row, ...edited };
        return JSON.stringify(record);
      })
      .join('\n') + '\n'
  );
}

/** Applies the run's rejects again, edited and with rules (the CLI's apply-rejects path). */
export function startApplyRejects(
  rt: AppRuntime,
  session: MigrationSession,
  fixes: RejectEdits,
): Task<unknown> {
  const report = session.lastReport;
  if (report?.kind !== 'run' || !report.rejectsFile || !report.reportDir) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'Rejected rows can be applied after the migration has run.',
      {
        fix: 'Run the migration first; its rejected rows can then be fixed here and applied.',
      },
    );
  }
  const { rejectsFile, reportDir } = report;
  const targets = targetUrls(rt);
  return rt.tasks.run(
    'migration.apply-rejects',
    `Apply fixed rejects of ${path.basename(session.file)}`,
    async (ctx) => {
      const edited = editedRejects(await readFile(rejectsFile, 'utf8'), fixes);
      const file = path.join(reportDir, 'rejects-to-apply.jsonl');
      await writeFile(file, edited, { mode: 0o600 });
      const request: ApplyRejectsRequest = {
        config: rt.config,
        targets,
        file,
        jobDir: reportDir,
        ...(fixes.rules ? { rules: fixes.rules } : {}),
      };
      const result = await applyFixedRejects(request, ctx);
      session.lastReport = reportDto(session.id, result.report);
      rt.logger.info('fixed rejects applied', {
        file: session.file,
        applied: result.applied,
        stillRejected: result.stillRejected,
      });
      void rt.layer.monitor.runNow();
      return {
        sessionId: session.id,
        applied: result.applied,
        stillRejected: result.stillRejected,
      };
    },
  );
}
