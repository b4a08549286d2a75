/**
 * What `nova-db migrate` does once parsed (registered in ../commands/migrate.ts):
 * the use case (core/use-cases/migrate.ts: apply-rejects, the dry run, or the
 * run with the backup taken before the first write) under a progress view.
 */
import path from 'node:path';
import { NovaError } from '../../core/errors.js';
import type { ApplyRejectsResult } from '../../core/migrate/apply-rejects.js';
import { renderSummary, type MigrationReport } from '../../core/migrate/report.js';
import type { CatchUpResult } from '../../core/migrate/catch-up.js';
import { TaskRegistry, type TaskBody } from '../../core/tasks/task.js';
import {
  applyFixedRejects,
  catchUpAfterCutover,
  configuredTargets,
  dryRunMigration,
  runMigrationWithBackup,
} from '../../core/use-cases/migrate.js';
import type { MigrateOptions } from '../commands/migrate.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { ProgressView } from '../views/migrate-progress.js';
import { loadCommandConfig } from './command-config.js';

/** `globals` holds the options too (optsWithGlobals); the combination is already checked. */
export async function migrate(
  ctx: CliContext,
  globals: GlobalOptions & MigrateOptions,
  options: MigrateOptions,
): Promise<void> {
  // A URL with a password on the command line is visible in `ps`: warned
  // about; --postgres-url-file / --mongo-url-file keep it off (url-options.ts).
  const { resolveUrlOption } = await import('./url-options.js');
  const postgresUrl = await resolveUrlOption(
    '--postgres-url',
    options.postgresUrl,
    options.postgresUrlFile,
    ctx.cwd,
    ctx.logger,
  );
  const mongoUrl = await resolveUrlOption(
    '--mongo-url',
    options.mongoUrl,
    options.mongoUrlFile,
    ctx.cwd,
    ctx.logger,
  );
  const { config } = await loadCommandConfig(ctx, globals, {
    overrides: { POSTGRES_URL: postgresUrl, MONGODB_URL: mongoUrl },
    flagNames: {
      POSTGRES_URL:
        options.postgresUrlFile !== undefined ? '--postgres-url-file' : '--postgres-url',
      MONGODB_URL: options.mongoUrlFile !== undefined ? '--mongo-url-file' : '--mongo-url',
    },
  });
  const json = globals.json === true;
  // Rule flags are checked before anything runs: a typo must not cost a migration.
  const { hasRules, parseRuleFlags } = await import('../../core/migrate/rules.js');
  const rules = parseRuleFlags({
    value: options.valueRule ?? [],
    duplicate: options.duplicateRule ?? [],
    orphan: options.orphanRule ?? [],
  });
  const common = {
    ...(hasRules(rules) ? { rules } : {}),
    config,
    env: ctx.env,
    targets: configuredTargets(config),
    ...(options.plan !== undefined ? { planFile: path.resolve(ctx.cwd, options.plan) } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.target ? { only: options.target } : {}),
  };
  const reportDir =
    options.report !== undefined ? path.resolve(ctx.cwd, options.report) : undefined;
  if (options.applyRejects !== undefined) {
    const result = await runTask(ctx, json, 'Applying rejects', (t) =>
      applyFixedRejects(
        {
          ...common,
          file: path.resolve(ctx.cwd, options.applyRejects!),
          ...(reportDir !== undefined ? { jobDir: reportDir } : {}),
        },
        t,
      ),
    );
    if (json)
      printJson(ctx, {
        ...result.report,
        applied: result.applied,
        stillRejected: result.stillRejected,
        skipped: result.skipped,
        lines: result.lines,
      });
    else ctx.stdout(describeApply(result));
    if (!result.report.ok) throw notVerified(result.report);
    return;
  }
  const source = path.resolve(ctx.cwd, options.source!);
  if (options.catchUp) {
    const result = await runTask(ctx, json, 'Catch-up', (t) =>
      catchUpAfterCutover(
        {
          config,
          source,
          targets: common.targets,
          ...(reportDir !== undefined ? { jobDir: reportDir } : {}),
        },
        t,
      ),
    );
    if (json) printJson(ctx, result);
    else ctx.stdout(describeCatchUp(result));
    if (!result.ok) throw catchUpIncomplete(result);
    return;
  }
  const report = options.dryRun
    ? await runTask(ctx, json, 'Dry run', (t) =>
        dryRunMigration(
          { ...common, source, ...(reportDir !== undefined ? { reportDir } : {}) },
          t,
        ),
      )
    : await runTask(ctx, json, 'Migration', (t) =>
        runMigrationWithBackup(
          {
            ...common,
            source,
            ...(reportDir !== undefined ? { jobDir: reportDir } : {}),
            ...(options.resume ? { resume: true } : {}),
            onBackup: (backup) =>
              ctx.logger.info(`backed up the target before migrating: ${backup}`),
          },
          t,
        ),
      );
  if (!report.ok) {
    ctx.stderr(renderSummary(report));
    throw notVerified(report);
  }
  if (json) printJson(ctx, report);
  else ctx.stdout(renderSummary(report));
}

/** Runs the work as a Task with progress on stderr; SIGINT/SIGTERM cancels it at the next batch. */
async function runTask<R>(
  ctx: CliContext,
  json: boolean,
  title: string,
  body: TaskBody<R>,
): Promise<R> {
  const registry = new TaskRegistry();
  const shutdown = ctx.onShutdown();
  const view = new ProgressView(ctx.stderr, process.stderr.isTTY === true && !json, (line) =>
    ctx.logger.info(line),
  );
  try {
    const task = registry.run('migration', title, body);
    task.on('progress', (s) => view.update(s.progress));
    void shutdown.stopped.then((signal) => {
      view.finish();
      ctx.logger.warn(
        `received ${signal}: stopping after the current batch; run again with --resume to finish`,
      );
      task.cancel();
    });
    return await task.start();
  } finally {
    view.finish();
    shutdown.dispose();
  }
}

function notVerified(report: MigrationReport): NovaError {
  const bad = Object.entries(report.tables)
    .filter(([, t]) => t.verified === false || (t.problems?.length ?? 0) > 0)
    .map(([name, t]) => `${name} (${(t.problems ?? []).join('; ')})`);
  return new NovaError(
    'MIGRATION_FAILED',
    `The migration finished, but ${bad.length} table(s) did not verify: ${bad.join(', ')}.`,
    {
      fix: `Read ${report.reportDir ? path.join(report.reportDir, 'report.json') : 'the report'}; the target does not hold exactly the migrated rows (was it written to during the migration?).`,
    },
  );
}

function describeApply(r: ApplyRejectsResult): string {
  const lines = [
    `Re-applied rejects: ${r.applied} applied, ${r.stillRejected} still rejected, ${r.skipped} skipped.`,
  ];
  for (const l of r.lines.filter((x) => x.outcome !== 'applied').slice(0, 20))
    lines.push(
      `  line ${l.line} ${l.table} ${l.key}: ${l.outcome}${l.reason ? ` (${l.reason})` : ''}${l.message ? ` — ${l.message}` : ''}`,
    );
  lines.push('', renderSummary(r.report));
  return `${lines.join('\n')}\n`;
}

function describeCatchUp(r: CatchUpResult): string {
  const lines = [`Catch-up of ${r.source} (snapshot ${r.snapshot}):`];
  if (r.tables.length === 0 && r.notCaughtUp.length === 0)
    lines.push("  nothing changed since the migration's snapshot.");
  for (const t of r.tables) {
    const seen = [
      t.changed ? `${t.changed} changed (not applied)` : '',
      t.removed ? `${t.removed} deleted (not applied)` : '',
    ].filter(Boolean);
    lines.push(
      `  ${t.table} -> ${t.target}: ${t.newRows} new, ${t.inserted} added, ${t.alreadyThere} already there, ${t.rejected.length} refused${seen.length ? `; ${seen.join(', ')}` : ''}`,
    );
    for (const rej of t.rejected.slice(0, 5)) lines.push(`    refused ${rej.key}: ${rej.reason}`);
  }
  for (const name of r.notCaughtUp) lines.push(`  ${name}: new rows go to MongoDB, not caught up`);
  lines.push(`Report: ${r.reportFile}`);
  return `${lines.join('\n')}\n`;
}

function catchUpIncomplete(r: CatchUpResult): NovaError {
  const refused = r.tables.reduce((s, t) => s + t.rejected.length, 0);
  return new NovaError(
    'MIGRATION_FAILED',
    `The catch-up left rows out: ${refused} new row(s) refused by the target${r.notCaughtUp.length ? `, new rows of ${r.notCaughtUp.join(', ')} (MongoDB) not caught up` : ''}.`,
    {
      fix: `See ${r.reportFile} for each row and why; fix them in the legacy file and run the catch-up again, or migrate again into a fresh database.`,
    },
  );
}
