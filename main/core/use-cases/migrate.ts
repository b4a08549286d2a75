/**
 * Migrating the legacy file, composed once for every caller: the CLI
 * (`nova-db migrate`), the HTTP/IPC handlers and the desktop wizard. A run
 * that writes backs its target up first (the backup named in the report,
 * so a bad migration can be undone); the dry run and re-applying rejects
 * take no backup. Callers keep only what is theirs: parsing, where the
 * target URLs come from (the configuration or the running services), and
 * how progress and the report are shown.
 */
import { migrationBackupTargets, resolveBackupDir } from '../backup/backup-targets.js';
import { passphraseFromEnv } from '../backup/passphrase.js';
import type { NovaConfig } from '../config/schema.js';
import type { ApplyRejectsResult } from '../migrate/apply-rejects.js';
import type { CatchUpResult } from '../migrate/catch-up.js';
import type { MigrationReport } from '../migrate/report.js';
import type { MigrationRules } from '../migrate/rules.js';
import type { TaskContext } from '../tasks/task.js';

/** Where a migration writes: PostgreSQL always, MongoDB when documents have their own server. */
export interface MigrationTargets {
  postgresUrl?: string;
  mongoUrl?: string;
}

interface MigrationRequestBase {
  config: NovaConfig;
  /** Read for the backup passphrase and by the engine (e.g. PG* variables); default process.env. */
  env?: Record<string, string | undefined>;
  targets: MigrationTargets;
  planFile?: string;
  batchSize?: number;
  /** Only these targets are written (`--target`); default all the plan names. */
  only?: string[];
  /** What to do instead of rejecting (core/migrate/rules.ts). */
  rules?: MigrationRules;
}

export interface RunMigrationRequest extends MigrationRequestBase {
  source: string;
  /** The job's checkpoints and report; default: derived from the source file, so a later run resumes it. */
  jobDir?: string;
  resume?: boolean;
  /** Told where the backup taken before the first write is. */
  onBackup?: (path: string) => void;
}

export interface DryRunRequest extends Omit<MigrationRequestBase, 'targets'> {
  source: string;
  reportDir?: string;
}

export interface ApplyRejectsRequest extends MigrationRequestBase {
  /** The (edited) rejects.jsonl. */
  file: string;
  jobDir?: string;
  /** Replacement rows by line number (1-based), from the wizard's editor. */
  edits?: readonly { line: number; row: Record<string, unknown> }[];
}

/**
 * The engines load on first use (the migration engine here, the backup
 * engine when the target is backed up): a CLI dry run pays for neither.
 */
export async function runMigrationWithBackup(
  request: RunMigrationRequest,
  ctx: TaskContext,
): Promise<MigrationReport> {
  const { runMigration } = await import('../migrate/migration-job.js');
  const { defaultJobDir } = await import('../migrate/run/job-setup.js');
  const { config } = request;
  const env = request.env ?? process.env;
  return runMigration(
    {
      source: request.source,
      jobDir: request.jobDir ?? defaultJobDir(config.NOVA_DATA_DIR, request.source),
      ...(request.only ? { targets: request.only } : {}),
      ...request.targets,
      mongoDb: config.MONGODB_DB,
      ...(request.planFile !== undefined ? { planFile: request.planFile } : {}),
      ...(request.resume ? { resume: true } : {}),
      ...(request.rules ? { rules: request.rules } : {}),
      ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
      env,
      backupTarget: async (targets) => {
        const passphrase = passphraseFromEnv(env);
        const { backupBeforeMigration } = await import('../backup/backup-job.js');
        const result = await backupBeforeMigration({
          backupDir: resolveBackupDir(config),
          dataDir: config.NOVA_DATA_DIR,
          targets: migrationBackupTargets(config, targets),
          ...(passphrase ? { passphrase } : {}),
          // A snapshot of the target as it was; `nova-db verify` test-restores it on demand.
          verify: false,
        });
        request.onBackup?.(result.backup.path);
        return result.backup.path;
      },
    },
    ctx,
  );
}

export async function dryRunMigration(
  request: DryRunRequest,
  ctx: TaskContext,
): Promise<MigrationReport> {
  const engine = await import('../migrate/dry-run.js');
  return engine.dryRunMigration(
    {
      source: request.source,
      ...(request.planFile !== undefined ? { planFile: request.planFile } : {}),
      ...(request.only ? { targets: request.only } : {}),
      ...(request.reportDir !== undefined ? { reportDir: request.reportDir } : {}),
      ...(request.rules ? { rules: request.rules } : {}),
      ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    },
    ctx,
  );
}

export async function applyFixedRejects(
  request: ApplyRejectsRequest,
  ctx: TaskContext,
): Promise<ApplyRejectsResult> {
  const { applyRejects } = await import('../migrate/apply-rejects.js');
  return applyRejects(
    {
      file: request.file,
      ...(request.jobDir !== undefined ? { jobDir: request.jobDir } : {}),
      ...(request.rules ? { rules: request.rules } : {}),
      ...(request.edits ? { edits: request.edits } : {}),
      ...request.targets,
      mongoDb: request.config.MONGODB_DB,
    },
    ctx,
  );
}

export interface CatchUpRequest {
  config: NovaConfig;
  source: string;
  targets: MigrationTargets;
  /** The finished job's directory; default: derived from the source file, as for the run. */
  jobDir?: string;
}

/**
 * After the legacy writer is stopped: migrates the rows written to the
 * legacy file since the finished run's snapshot (catch-up.ts says what it
 * can and cannot see).
 */
export async function catchUpAfterCutover(
  request: CatchUpRequest,
  ctx: TaskContext,
): Promise<CatchUpResult> {
  const { catchUpMigration } = await import('../migrate/catch-up.js');
  const { defaultJobDir } = await import('../migrate/run/job-setup.js');
  return catchUpMigration({
    source: request.source,
    jobDir: request.jobDir ?? defaultJobDir(request.config.NOVA_DATA_DIR, request.source),
    ...(request.targets.postgresUrl !== undefined
      ? { postgresUrl: request.targets.postgresUrl }
      : {}),
    signal: ctx.signal,
  });
}

/** The target URLs the configuration names (the CLI's view; the app uses the running services'). */
export function configuredTargets(config: NovaConfig): MigrationTargets {
  return {
    ...(config.POSTGRES_URL ? { postgresUrl: config.POSTGRES_URL } : {}),
    ...(config.MONGODB_URL ? { mongoUrl: config.MONGODB_URL } : {}),
  };
}
