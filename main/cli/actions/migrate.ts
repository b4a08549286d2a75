/**
 * What `nova-db migrate` does once parsed (registered in ../commands/migrate.ts).
 * Each mode imports only its own engine — apply-rejects, the dry run, or the
 * migration job with the backup taken before the first write — so one mode
 * does not pay to load the others.
 */
import path from 'node:path';
import { resolveBackupDir } from '../../core/backup/backup-targets.js';
import { PASSPHRASE_ENV } from '../../core/backup/passphrase.js';
import { loadConfig } from '../../core/config/load-config.js';
import type { NovaConfig } from '../../core/config/schema.js';
import { NovaError } from '../../core/errors.js';
import type { ApplyRejectsResult } from '../../core/migrate/apply-rejects.js';
import { renderSummary, type MigrationReport } from '../../core/migrate/report.js';
import type { CatchUpResult } from '../../core/migrate/catch-up.js';
import { TaskRegistry, type TaskBody } from '../../core/tasks/task.js';
import type { MigrateOptions } from '../commands/migrate.js';
import { ProgressView } from '../commands/migrate-progress.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

/** `globals` holds the options too (optsWithGlobals); the combination is already checked. */
export async function migrate(
  ctx: CliContext,
  globals: GlobalOptions & MigrateOptions,
  options: MigrateOptions,
): Promise<void> {
  const config = await loadMigrateConfig(ctx, globals, options);
  const json = globals.json === true;
  if (options.applyRejects !== undefined) {
    const { applyRejects } = await import('../../core/migrate/apply-rejects.js');
    const result = await runTask(ctx, json, 'Applying rejects', (t) =>
      applyRejects(
        {
          file: path.resolve(ctx.cwd, options.applyRejects!),
          ...(options.report !== undefined
            ? { jobDir: path.resolve(ctx.cwd, options.report) }
            : {}),
          ...urls(config),
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
  const reportDir =
    options.report !== undefined ? path.resolve(ctx.cwd, options.report) : undefined;
  if (options.catchUp) {
    const { catchUpMigration } = await import('../../core/migrate/catch-up.js');
    const { defaultJobDir } = await import('../../core/migrate/run/job-setup.js');
    const { postgresUrl } = urls(config);
    const result = await runTask(ctx, json, 'Catch-up', (t) =>
      catchUpMigration({
        source,
        jobDir: reportDir ?? defaultJobDir(config.NOVA_DATA_DIR, source),
        ...(postgresUrl !== undefined ? { postgresUrl } : {}),
        signal: t.signal,
      }),
    );
    if (json) printJson(ctx, result);
    else ctx.stdout(describeCatchUp(result));
    if (!result.ok) throw catchUpIncomplete(result);
    return;
  }
  let report: MigrationReport;
  if (options.dryRun) {
    const { dryRunMigration } = await import('../../core/migrate/dry-run.js');
    report = await runTask(ctx, json, 'Dry run', (t) =>
      dryRunMigration(
        {
          source,
          ...(options.plan !== undefined ? { planFile: path.resolve(ctx.cwd, options.plan) } : {}),
          ...(options.target ? { targets: options.target } : {}),
          ...(reportDir !== undefined ? { reportDir } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        },
        t,
      ),
    );
  } else {
    const { runMigration } = await import('../../core/migrate/migration-job.js');
    const { defaultJobDir } = await import('../../core/migrate/run/job-setup.js');
    report = await runTask(ctx, json, 'Migration', (t) =>
      runMigration(
        {
          source,
          jobDir: reportDir ?? defaultJobDir(config.NOVA_DATA_DIR, source),
          ...(options.target ? { targets: options.target } : {}),
          ...urls(config),
          ...(options.plan !== undefined ? { planFile: path.resolve(ctx.cwd, options.plan) } : {}),
          ...(options.resume ? { resume: true } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          env: ctx.env,
          backupTarget: (targets) => backupTarget(config, ctx, targets),
        },
        t,
      ),
    );
  }
  if (!report.ok) {
    ctx.stderr(renderSummary(report));
    throw notVerified(report);
  }
  if (json) printJson(ctx, report);
  else ctx.stdout(renderSummary(report));
}

async function loadMigrateConfig(
  ctx: CliContext,
  globals: GlobalOptions,
  options: MigrateOptions,
): Promise<NovaConfig> {
  const { config, warnings } = await loadConfig({
    ...(globals.dataDir !== undefined ? { dataDir: globals.dataDir } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    overrides: { POSTGRES_URL: options.postgresUrl, MONGODB_URL: options.mongoUrl },
    flagNames: { POSTGRES_URL: '--postgres-url', MONGODB_URL: '--mongo-url' },
  });
  ctx.logger.setLevel(config.NOVA_LOG_LEVEL);
  for (const warning of warnings) ctx.logger.warn(warning);
  return config;
}

function urls(config: NovaConfig): { postgresUrl?: string; mongoUrl?: string; mongoDb: string } {
  return {
    ...(config.POSTGRES_URL ? { postgresUrl: config.POSTGRES_URL } : {}),
    ...(config.MONGODB_URL ? { mongoUrl: config.MONGODB_URL } : {}),
    mongoDb: config.MONGODB_DB,
  };
}

/** SPEC §7: the target is backed up before the migration writes to it. */
async function backupTarget(
  config: NovaConfig,
  ctx: CliContext,
  targets: { postgresUrl?: string; mongoUrl?: string },
): Promise<string> {
  // Only a run that is about to write needs the backup engine.
  const { backupBeforeMigration } = await import('../../core/backup/backup-job.js');
  const passphrase = ctx.env[PASSPHRASE_ENV];
  const result = await backupBeforeMigration({
    backupDir: resolveBackupDir(config),
    dataDir: config.NOVA_DATA_DIR,
    targets: {
      ...(targets.postgresUrl
        ? {
            postgres: {
              url: targets.postgresUrl,
              ssl: config.POSTGRES_SSL,
              ...(config.POSTGRES_SSL_CA ? { sslCaFile: config.POSTGRES_SSL_CA } : {}),
            },
          }
        : {}),
      ...(targets.mongoUrl
        ? {
            mongo: {
              url: targets.mongoUrl,
              dbName: config.MONGODB_DB,
              tls: config.MONGODB_TLS,
              ...(config.MONGODB_TLS_CA ? { tlsCAFile: config.MONGODB_TLS_CA } : {}),
            },
          }
        : {}),
    },
    ...(passphrase ? { passphrase } : {}),
    // A snapshot of the target as it was; `nova-db verify` test-restores it on demand.
    verify: false,
  });
  ctx.logger.info(`backed up the target before migrating: ${result.backup.path}`);
  return result.backup.path;
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
