/**
 * `migration.*` handlers: the wizard's steps on top of preflight, inspect,
 * the plans and the dry run; the run itself goes through migration-engine.ts.
 */
import { rm } from 'node:fs/promises';
import type { InspectSummaryDto, PlanPreviewDto } from '../../../../shared-contract/index.js';
import { NovaError } from '../../errors.js';
import { autoPlan } from '../../migrate/auto-plan.js';
import { isNovaLegacyDatabase, novaLegacyPlan } from '../../migrate/builtin-nova-plan.js';
import { inspect, observedTypes, type InspectReport } from '../../migrate/inspect.js';
import { loadPlanFile } from '../../migrate/plan-file.js';
import { preflight } from '../../migrate/preflight.js';
import { resolvePlan } from '../../migrate/resolve-plan.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';
import { assertNoMigrationRunning, startDryRun, startRun } from '../migration-engine.js';
import type { MigrationSession } from '../migration-sessions.js';
import { checkTarget, describeTargets } from '../migration-target.js';
import type { TargetCheckDto } from '../../../../shared-contract/index.js';
import { requireTask } from './tasks.js';

type MigrationHandlers = Pick<
  Handlers,
  | 'migration.inspect'
  | 'migration.planPreview'
  | 'migration.dryRun'
  | 'migration.start'
  | 'migration.cancel'
  | 'migration.resume'
  | 'migration.report'
>;

export function migrationHandlers(rt: AppRuntime): MigrationHandlers {
  return {
    'migration.inspect': async ({ file }) => {
      const { id, workDir } = rt.migrations.allocate();
      let snapshotFile: string;
      let sourceInfo: Awaited<ReturnType<typeof preflight>>['sourceInfo'];
      let report: ReturnType<typeof inspect>;
      try {
        ({ snapshotFile, sourceInfo } = await preflight(file, workDir));
        report = inspect(snapshotFile);
      } catch (err) {
        await rm(workDir, { recursive: true, force: true });
        throw err;
      }
      // The copy of the legacy database (admin PINs, password hashes) has served
      // its purpose: the report is in memory, and a dry run or run takes its own
      // fresh snapshot. It is not kept a moment longer than needed.
      await removeSnapshot(snapshotFile);
      const session = rt.migrations.add({
        id,
        file: sourceInfo.file,
        workDir,
        snapshotFile,
        sourceInfo,
        report,
        kind: isNovaLegacyDatabase(report) ? 'nova-legacy' : 'other',
      });
      rt.logger.info('migration source inspected', {
        file: session.file,
        tables: report.tables.length,
      });
      return inspectSummary(session);
    },

    'migration.planPreview': async ({ sessionId, planFile }) => {
      const session = rt.migrations.get(sessionId);
      const origin = planFile ? 'file' : session.kind === 'nova-legacy' ? 'builtin' : 'auto';
      const plan = planFile
        ? await loadPlanFile(planFile)
        : origin === 'builtin'
          ? novaLegacyPlan
          : autoPlan(session.report);
      const resolved = resolvePlan(plan, session.report);
      session.plan = { plan, origin, resolved, ...(planFile ? { file: planFile } : {}) };
      // A new plan (or a new target) starts without the earlier choice to keep existing rows.
      session.skipExisting = false;
      return planPreview(rt, session);
    },

    'migration.dryRun': async ({ sessionId }) => {
      const session = rt.migrations.get(sessionId);
      requirePlan(session);
      assertNoMigrationRunning(rt);
      const target = describeTargets(rt).postgres;
      // The dry run writes nothing, but says whether the target would take the run.
      const check = target ? await checkTarget(rt, session).catch(() => null) : null;
      const task = startDryRun(rt, session, target, check ? targetWarnings(check) : []);
      session.activeTaskId = task.id;
      return { taskId: task.id };
    },

    'migration.start': async ({ sessionId }) => {
      const session = rt.migrations.get(sessionId);
      requirePlan(session);
      assertNoMigrationRunning(rt);
      // Before the backup and the first write, not after: the run would stop at the same place.
      const check = await checkTarget(rt, session);
      if (check.attempt.status === 'unfinished') {
        throw new NovaError('INVALID_ARGUMENT', 'A stopped attempt of this file is kept.', {
          fix: 'Choose Resume to continue it, or Discard this attempt to start again.',
        });
      }
      const warnings = targetWarnings(check);
      if (warnings.length) {
        throw new NovaError('INVALID_ARGUMENT', warnings.join(' '), {
          fix: 'Choose what to do under "Target database": empty those tables or keep their rows, or pick a new, empty database in Setup.',
        });
      }
      const task = startRun(rt, session, false);
      session.activeTaskId = task.id;
      return { taskId: task.id };
    },

    'migration.resume': async ({ sessionId }) => {
      const session = rt.migrations.get(sessionId);
      requirePlan(session);
      assertNoMigrationRunning(rt);
      const task = startRun(rt, session, true);
      session.activeTaskId = task.id;
      return { taskId: task.id };
    },

    'migration.cancel': async ({ taskId }) => {
      const task = requireTask(rt, taskId);
      if (!task.kind.startsWith('migration.')) {
        throw new NovaError(
          'INVALID_ARGUMENT',
          `Task ${taskId} is not a migration (it is "${task.title}").`,
          {
            fix: 'Cancel it from its own screen.',
          },
        );
      }
      task.cancel();
      return task.snapshot();
    },

    'migration.report': async ({ sessionId }) => {
      const session = rt.migrations.get(sessionId);
      if (!session.lastReport) {
        throw new NovaError('INVALID_ARGUMENT', 'This migration session has no report yet.', {
          fix: 'Run the dry run (or the migration) first; its report appears when it finishes.',
        });
      }
      return session.lastReport;
    },
  };
}

async function removeSnapshot(file: string): Promise<void> {
  await Promise.all(
    ['', '-wal', '-shm', '-journal'].map((suffix) => rm(file + suffix, { force: true })),
  );
}

function requirePlan(session: MigrationSession): NonNullable<MigrationSession['plan']> {
  if (!session.plan) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'No plan has been reviewed for this migration session yet.',
      {
        fix: 'Open the Plan step and review the plan first.',
      },
    );
  }
  return session.plan;
}

function inspectSummary(session: MigrationSession): InspectSummaryDto {
  const { report, sourceInfo } = session;
  return {
    sessionId: session.id,
    file: session.file,
    sizeBytes: sourceInfo.size,
    sqliteVersion: sourceInfo.writtenBySqliteVersion,
    journalMode: sourceInfo.journalMode,
    hasWal: sourceInfo.hasWal,
    warnings: sourceInfo.warnings,
    kind: session.kind,
    tables: report.tables.map((t) => ({
      name: t.name,
      kind: t.kind,
      rows: t.rowCount,
      columns: t.columns.length,
      indexes: t.indexes.length,
      foreignKeys: t.foreignKeys.length,
      mixedColumns: mixedColumns(t),
    })),
    views: report.views.map((v) => v.name),
    triggers: report.triggers.map((t) => t.name),
  };
}

/** Columns holding more than one kind of value (e.g. integers and text in one column). */
function mixedColumns(table: InspectReport['tables'][number]): string[] {
  return table.columns
    .filter(
      (c) =>
        Object.entries(observedTypes(c)).filter(([kind, n]) => kind !== 'null' && n > 0).length > 1,
    )
    .map((c) => c.name);
}

function planPreview(rt: AppRuntime, session: MigrationSession): PlanPreviewDto {
  const { resolved, origin } = session.plan!;
  return {
    sessionId: session.id,
    planName: resolved.name,
    planOrigin: origin,
    destinations: describeTargets(rt),
    tables: resolved.tables.map((t) => ({
      source: t.source,
      origin: t.origin,
      rows: t.rowCount,
      target:
        t.target.kind === 'postgres'
          ? { kind: 'postgres' as const, name: t.target.table }
          : { kind: 'mongo' as const, name: t.target.collection },
      columns: t.columns.map((c) => ({
        source: c.source,
        target: c.target,
        cast: c.type,
        targetType: c.targetType,
        nullable: c.nullable,
      })),
      extra: t.extra
        ? { target: t.extra.target, sources: t.extra.sources.map((s) => s.name) }
        : null,
    })),
    decisions: resolved.decisions.map((d) => ({
      table: d.table,
      ...(d.column !== undefined ? { column: d.column } : {}),
      decision: d.decision,
      reason: d.reason,
    })),
  };
}

/** What in the target stops a run, in words for the screen (empty when it is ready). */
export function targetWarnings(check: TargetCheckDto): string[] {
  const out = [...check.blockers];
  if (check.attempt.status === 'completed')
    out.push('This file was already migrated from this machine; its report is kept.');
  if (check.occupied.length)
    out.push(
      `The target database already holds rows in ${check.occupied
        .map((o) => `${o.table} (${o.rows.toLocaleString('en-US')})`)
        .join(', ')}; the run would stop before writing.`,
    );
  return out;
}
