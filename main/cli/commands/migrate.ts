/**
 * `nova-db migrate` (main/core/migrate/README.md, docs/ARCHITECTURE.md#stable-interfaces):
 *
 *   nova-db migrate --source FILE [--target postgres,mongo] [--postgres-url URL]
 *                   [--mongo-url URL] [--plan FILE] [--dry-run] [--resume] [--report DIR]
 *   nova-db migrate --apply-rejects FILE [--report DIR] [--postgres-url URL] [--mongo-url URL]
 *   rules (repeatable, with a run, a dry run or --apply-rejects; docs/migration-rules.md):
 *     --value-rule table.column=round|truncate|keep-in-extra|reject
 *     --duplicate-rule table.column=keep-first-rename|merge|reject  (or table(col1,col2)=…)
 *     --orphan-rule table=drop|reject
 *
 * The job directory (--report, default `<data dir>/migrations/<source>-<hash>`)
 * keeps the copy of the source taken before anything is written, the job
 * state a resumed run continues from, report.json / report.txt, and
 * rejects.jsonl. The target is backed up before the first write. Progress
 * goes to stderr (a bar on a TTY); stdout gets the summary, or the JSON
 * report with --json. Ctrl-C cancels at the next batch; --resume finishes.
 *
 * Registration only; the work is in ../actions/migrate.ts (see program.ts).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';

export interface MigrateOptions {
  source?: string;
  target?: string[];
  postgresUrl?: string;
  mongoUrl?: string;
  postgresUrlFile?: string;
  mongoUrlFile?: string;
  plan?: string;
  dryRun?: boolean;
  resume?: boolean;
  catchUp?: boolean;
  report?: string;
  applyRejects?: string;
  batchSize?: number;
  valueRule?: string[];
  duplicateRule?: string[];
  orphanRule?: string[];
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
    .option(
      '--postgres-url-file <file>',
      'read --postgres-url from a file: a password on the command line is visible in ps',
    )
    .option('--mongo-url <url>', 'the MongoDB to migrate into (default: MONGODB_URL)')
    .option('--mongo-url-file <file>', 'read --mongo-url from a file (see --postgres-url-file)')
    .option('--plan <file>', 'a migration plan (JSON) instead of the built-in or automatic plan')
    .option(
      '--dry-run',
      'convert every row and report what would be migrated and rejected; write nothing',
    )
    .option('--resume', 'finish the interrupted migration in the job directory')
    .option(
      '--catch-up',
      'after a completed migration and once the legacy program is stopped: add the rows created since its snapshot',
    )
    .option(
      '--report <dir>',
      'job directory for the source copy, state, report and rejects (default: <data dir>/migrations/…)',
    )
    .option(
      '--apply-rejects <file>',
      're-apply the fixed lines of a rejects.jsonl to the migration it came from',
    )
    .option('--batch-size <rows>', 'rows per batch and transaction (default 50000)', parseBatchSize)
    .option(
      '--value-rule <table.column=action>',
      'a value that does not fit its column: round | truncate (fractional numbers in whole-number columns), keep-in-extra (original kept in legacy_extra, column left empty) or reject (default); repeatable',
      collect,
    )
    .option(
      '--duplicate-rule <table.column=action>',
      'a row that repeats a unique key (e.g. users.email): keep-first-rename (the later row gets a +dup-<key> suffix), merge (into the first row; its children follow) or reject with its children (default); table(col1,col2)=action for a key of several columns; repeatable',
      collect,
    )
    .option(
      '--orphan-rule <table=action>',
      'a row whose parent is missing or was not migrated: drop (left out, recorded as a change) or reject (default); repeatable',
      collect,
    )
    .addHelpText(
      'after',
      `
Rules (instead of rejecting; each application is recorded in changes.jsonl and counted as changed):
  nova-db migrate --source log.sqlite --value-rule passkeys.counter=round
  nova-db migrate --source log.sqlite --duplicate-rule users.email=keep-first-rename --orphan-rule user_roles=drop
  nova-db migrate --apply-rejects DIR/rejects.jsonl --value-rule passkeys.counter=round
A plan file may carry the same rules under "rules": {"values": [...], "duplicates": [...], "orphans": [...]};
flags override the plan's rule for the same column, key or table. See docs/migration-rules.md.`,
    )
    .action(async (options: MigrateOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & MigrateOptions>();
      const problem = combinationProblem(options);
      if (problem) command.error(problem, { exitCode: 2, code: 'nova.usage' });
      // Loaded on demand, not at start-up: the migration engine and its drivers.
      const { migrate } = await import('../actions/migrate.js');
      await migrate(ctx, globals, options);
    });
}

/** Repeatable option: each use adds one value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
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
  if (o.catchUp) {
    const clash = [
      o.dryRun && '--dry-run',
      o.resume && '--resume',
      o.plan !== undefined && '--plan',
      o.target !== undefined && '--target',
    ].filter(Boolean);
    if (clash.length > 0)
      return `--catch-up cannot be combined with ${clash.join(', ')}: it adds the new rows to the completed migration in --report, by that migration's plan.`;
  }
  if (o.dryRun && o.resume)
    return '--dry-run and --resume cannot be combined: a dry run writes nothing, so there is nothing to resume.';
  return null;
}
