/**
 * Versioned schema migrations (main/core/stores/README.md): the `NNNN_name.sql` files of the
 * store's dialect are applied in order, each in its own transaction, and
 * recorded in `nova_schema_migrations` with a sha256 of their text. An
 * applied file that was edited afterwards is refused before anything runs,
 * and concurrent runners (two app instances, CLI + app) apply every file
 * exactly once.
 */
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { NovaError } from '../errors.js';
import type { RelationalStore, SqlExecutor } from '../sql-types.js';
import {
  MIGRATIONS_TABLE,
  migrationDialectFor,
  runScript,
  type MigrationDialect,
} from './migration-dialects.js';
import {
  defaultMigrationsDir,
  loadMigrations,
  matchesRecorded,
  type MigrationFile,
} from './migration-files.js';

/**
 * applied: recorded and unchanged; pending: not applied yet; modified: applied
 * but the file changed since; missing: recorded but no file has its version
 * (the database was migrated by a newer Nova).
 */
export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing';

export interface MigrationStatus {
  version: number;
  name: string;
  /** File name, or null for a `missing` migration. */
  file: string | null;
  state: MigrationState;
  appliedAt: Date | null;
  /** Checksum of the file on disk (null when missing) and the one recorded when it was applied. */
  checksum: string | null;
  appliedChecksum: string | null;
}

export interface AppliedMigration {
  version: number;
  name: string;
  file: string;
  executionMs: number;
}

export interface MigrationSummary {
  /** Migrations this call applied, in order. */
  applied: AppliedMigration[];
  /** Files that were already applied (by an earlier run or a concurrent runner). */
  alreadyApplied: number;
}

export interface MigrationRunnerOptions {
  /** Directory of `NNNN_name.sql` files; defaults to the SQL shipped for the store's dialect. */
  dir?: string;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
}

export class MigrationRunner {
  readonly dir: string;
  private readonly dialect: MigrationDialect;

  constructor(
    private readonly store: RelationalStore,
    options: MigrationRunnerOptions = {},
  ) {
    this.dialect = migrationDialectFor(store.dialect);
    this.dir = options.dir ?? defaultMigrationsDir(store.dialect);
  }

  /** Every known migration and its state, by version. Reads only; creates nothing. */
  async status(): Promise<MigrationStatus[]> {
    const files = await loadMigrations(this.dir);
    const applied = (await this.tableExists())
      ? await this.readApplied(this.store)
      : new Map<number, AppliedRow>();
    const list: MigrationStatus[] = files.map((f) => {
      const row = applied.get(f.version);
      return {
        version: f.version,
        name: f.name,
        file: f.file,
        state: !row ? 'pending' : matchesRecorded(f, row.checksum) ? 'applied' : 'modified',
        appliedAt: row?.appliedAt ?? null,
        checksum: f.checksum,
        appliedChecksum: row?.checksum ?? null,
      };
    });
    const known = new Set(files.map((f) => f.version));
    for (const row of applied.values()) {
      if (known.has(row.version)) continue;
      list.push({
        version: row.version,
        name: row.name,
        file: null,
        state: 'missing',
        appliedAt: row.appliedAt,
        checksum: null,
        appliedChecksum: row.checksum,
      });
    }
    return list.sort((a, b) => a.version - b.version);
  }

  /**
   * Applies every pending migration in version order, each in its own
   * transaction. Refuses to start when an applied file was edited; stops at
   * the first failing file (rolled back, not recorded; earlier ones stay).
   */
  async migrate(): Promise<MigrationSummary> {
    const files = await loadMigrations(this.dir);
    // Only take the write lock to create the table when it is missing: an
    // up-to-date database is then checked with reads alone.
    if (!(await this.tableExists())) await this.ensureTable();
    const applied = await this.readApplied(this.store);
    assertUnmodified(files, applied);

    const summary: MigrationSummary = { applied: [], alreadyApplied: 0 };
    for (const file of files) {
      if (applied.has(file.version)) {
        summary.alreadyApplied += 1;
        continue;
      }
      const executionMs = await this.applyOne(file, summary);
      if (executionMs === undefined) summary.alreadyApplied += 1;
      else
        summary.applied.push({
          version: file.version,
          name: file.name,
          file: file.file,
          executionMs,
        });
    }
    return summary;
  }

  /** Runs one file; undefined when a concurrent runner applied it first. */
  private async applyOne(
    file: MigrationFile,
    summary: MigrationSummary,
  ): Promise<number | undefined> {
    let scriptError: unknown;
    try {
      return await this.store.transaction(async (tx) => {
        await this.dialect.serialise(tx);
        // Re-check under the lock: another runner may have applied this file
        // between our first read and getting the lock.
        const { rows } = await tx.query<{ checksum: string }>(
          `SELECT checksum FROM ${MIGRATIONS_TABLE} WHERE version = $1`,
          [file.version],
        );
        if (rows[0]) {
          if (!matchesRecorded(file, rows[0].checksum))
            throw checksumMismatch([{ file, recorded: rows[0].checksum }]);
          return undefined;
        }
        const started = performance.now();
        try {
          await runScript(tx, file.sql);
        } catch (err) {
          scriptError = err;
          throw err;
        }
        const executionMs = Math.round(performance.now() - started);
        await tx.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)`,
          [file.version, file.name, file.checksum, executionMs],
        );
        return executionMs;
      });
    } catch (err) {
      // Failures of the SQL in the file get the file's name on them; anything
      // else (server down, lock lost, mismatch) already says what happened.
      if (scriptError === undefined || err !== scriptError) throw err;
      throw migrationFailed(file, err, summary);
    }
  }

  private async tableExists(): Promise<boolean> {
    const { rows } = await this.store.query<{ present: unknown }>(this.dialect.tableExistsSql);
    const present = rows[0]?.present;
    return present === true || Number(present) > 0;
  }

  private async ensureTable(): Promise<void> {
    // Under the lock: two PostgreSQL sessions running CREATE TABLE IF NOT
    // EXISTS at the same moment can both miss the table and one then fails.
    await this.store.transaction(async (tx) => {
      await this.dialect.serialise(tx);
      await tx.query(this.dialect.createTableSql);
    });
  }

  private async readApplied(executor: SqlExecutor): Promise<Map<number, AppliedRow>> {
    const { rows } = await executor.query<{
      version: number | string;
      name: string;
      checksum: string;
      applied_at: Date | string;
    }>(`SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    return new Map(
      rows.map((r) => {
        const row: AppliedRow = {
          version: Number(r.version),
          name: r.name,
          checksum: r.checksum,
          appliedAt: r.applied_at instanceof Date ? r.applied_at : new Date(r.applied_at),
        };
        return [row.version, row];
      }),
    );
  }
}

/** Applies the pending migrations of `store`'s dialect (the data layer calls this on initialize). */
export function migrateSchema(
  store: RelationalStore,
  options: MigrationRunnerOptions = {},
): Promise<MigrationSummary> {
  return new MigrationRunner(store, options).migrate();
}

function assertUnmodified(files: MigrationFile[], applied: Map<number, AppliedRow>): void {
  const edited = files
    .map((file) => ({ file, recorded: applied.get(file.version)?.checksum }))
    .filter(
      (e): e is { file: MigrationFile; recorded: string } =>
        e.recorded !== undefined && !matchesRecorded(e.file, e.recorded),
    );
  if (edited.length > 0) throw checksumMismatch(edited);
}

function checksumMismatch(edited: { file: MigrationFile; recorded: string }[]): NovaError {
  const lines = edited.map(
    ({ file, recorded }) =>
      `${file.file} (${file.path}): applied with sha256 ${recorded}, the file now has sha256 ${file.checksum}`,
  );
  const names = edited.map((e) => e.file.file).join(', ');
  return new NovaError(
    'MIGRATION_CHECKSUM_MISMATCH',
    `Refusing to migrate: ${edited.length === 1 ? 'an applied migration was' : 'applied migrations were'} edited after being applied, so the database no longer matches the files. ${lines.join('; ')}. Nothing was applied.`,
    {
      fix: `Restore the original ${names} (from the release or version control); to change the schema, add a new migration file with the next version number instead of editing an applied one.`,
    },
  );
}

function migrationFailed(file: MigrationFile, err: unknown, summary: MigrationSummary): NovaError {
  const reason = (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
  const before =
    summary.applied.length > 0
      ? ` Applied before it in this run and kept: ${summary.applied.map((m) => m.file).join(', ')}.`
      : '';
  return new NovaError(
    'MIGRATION_FAILED',
    `Migration ${basename(file.path)} failed and was rolled back; nothing from it was applied: ${reason}.${before}`,
    {
      fix: `Fix the SQL in ${file.path} (it was not recorded as applied, so it may still be edited) and run the migration again.`,
      cause: err,
    },
  );
}
