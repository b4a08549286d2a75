/**
 * `nova-db migrate` (SPEC §5, §11):
 *
 *   nova-db migrate --source FILE [--target postgres,mongo] [--postgres-url URL]
 *                   [--mongo-url URL] [--plan FILE] [--dry-run] [--resume] [--report DIR]
 *   nova-db migrate --apply-rejects FILE [--report DIR] [--postgres-url URL] [--mongo-url URL]
 *
 * The job directory (--report, default `<data dir>/migrations/<source>-<hash>`)
 * keeps the copy of the source taken before anything is written, the job
 * state a resumed run continues from, report.json / report.txt, and
 * rejects.jsonl. The target is backed up before the first write. Progress
 * goes to stderr (a bar on a TTY); stdout gets the summary, or the JSON
 * report with --json. Ctrl-C cancels at the next batch; --resume finishes.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { backupBeforeMigration } from '../../core/backup/backup-job.js';
import { resolveBackupDir } from '../../core/backup/backup-targets.js';
import { PASSPHRASE_ENV } from '../../core/backup/passphrase.js';
import { loadConfig } from '../../core/config/load-config.js';
import type { NovaConfig } from '../../core/config/schema.js';
import { NovaError } from '../../core/errors.js';
import { applyRejects, type ApplyRejectsResult } from '../../core/migrate/apply-rejects.js';
import { dryRunMigration } from '../../core/migrate/dry-run.js';
import { runMigration } from '../../core/migrate/migration-job.js';
import { renderSummary, type MigrationReport } from '../../core/migrate/report.js';
import { defaultJobDir } from '../../core/migrate/run/job-setup.js';
import { TaskRegistry, type TaskBody } from '../../core/tasks/task.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { ProgressView } from './migrate-progress.js';

interface MigrateOptions {
  source?: string;
  target?: string[];
  postgresUrl?: string;
  mongoUrl?: string;
  plan?: string;
  dryRun?: boolean;
  resume?: boolean;
  report?: string;
  applyRejects?: string;
  batchSize?: number;
}

export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description(
      'migrate a legacy SQLite file into PostgreSQL / MongoDB: resumable, verified, with a report of every row not migrated as-is',
    )
    .option('--source <file>', 'the legacy SQLite file (log.sqlite)')
    .option(
      '--target <kinds>',
      'where to write: postgres, mongo or postgres,mongo (default: what the plan needs)',
      parseTargets,
    )
    .option('--postgres-url <url>', 'the PostgreSQL to migrate into (default: POSTGRES_URL)')
    .option('--mongo-url <url>', 'the MongoDB to migrate into (default: MONGODB_URL)')
    .option('--plan <file>', 'a migration plan (JSON) instead of the built-in or automatic plan')
    .option(
      '--dry-run',
      'convert every row and report what would be migrated and rejected; write nothing',
    )
    .option('--resume', 'finish the interrupted migration in the job directory')
    .option(
      '--report <dir>',
      'job directory for the source copy, state, report and rejects (default: <data dir>/migrations/…)',
    )
    .option(
      '--apply-rejects <file>',
      're-apply the fixed lines of a rejects.jsonl to the migration it came from',
    )
    .option('--batch-size <rows>', 'rows per batch and transaction (default 50000)', parseBatchSize)
    .action(async (options: MigrateOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & MigrateOptions>();
      const problem = combinationProblem(options);
      if (problem) command.error(problem, { exitCode: 2, code: 'nova.usage' });
      const config = await loadMigrateConfig(ctx, globals, options);
      const json = globals.json === true;
      if (options.applyRejects !== undefined) {
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
      let report: MigrationReport;
      if (options.dryRun) {
        report = await runTask(ctx, json, 'Dry run', (t) =>
          dryRunMigration(
            {
              source,
              ...(options.plan !== undefined
                ? { planFile: path.resolve(ctx.cwd, options.plan) }
                : {}),
              ...(options.target ? { targets: options.target } : {}),
              ...(reportDir !== undefined ? { reportDir } : {}),
              ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
            },
            t,
          ),
        );
      } else {
        report = await runTask(ctx, json, 'Migration', (t) =>
          runMigration(
            {
              source,
              jobDir: reportDir ?? defaultJobDir(config.NOVA_DATA_DIR, source),
              ...(options.target ? { targets: options.target } : {}),
              ...urls(config),
              ...(options.plan !== undefined
                ? { planFile: path.resolve(ctx.cwd, options.plan) }
                : {}),
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
    });
}

/** `--target postgres,mongo` → ['postgres', 'mongo']. */
export function parseTargets(value: string): string[] {
  const kinds = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = kinds.filter((k) => k !== 'postgres' && k !== 'mongo');
  if (kinds.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `--target takes postgres, mongo or postgres,mongo${bad.length > 0 ? ` (not ${bad.join(', ')})` : ''}.`,
    );
  }
  return [...new Set(kinds)];
}

export function parseBatchSize(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new InvalidArgumentError('--batch-size must be a whole number from 1 to 1000000.');
  }
  return n;
}

/** What is wrong with the combination of options, or null. */
export function combinationProblem(o: MigrateOptions): string | null {
  if (o.applyRejects !== undefined) {
    const clash = [
      o.source !== undefined && '--source',
      o.dryRun && '--dry-run',
      o.resume && '--resume',
      o.plan !== undefined && '--plan',
      o.target !== undefined && '--target',
    ].filter(Boolean);
    return clash.length > 0
      ? `--apply-rejects cannot be combined with ${clash.join(', ')}: it re-applies a rejects file to the migration it came from.`
      : null;
  }
  if (o.source === undefined)
    return 'migrate needs --source FILE (the legacy SQLite file), or --apply-rejects FILE.';
  if (o.dryRun && o.resume)
    return '--dry-run and --resume cannot be combined: a dry run writes nothing, so there is nothing to resume.';
  return null;
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
  const passphrase = ctx.env[PASSPHRASE_ENV];
  const result = await backupBeforeMigration({
    backupDir: resolveBackupDir(config),
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
