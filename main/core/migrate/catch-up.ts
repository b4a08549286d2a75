/**
 * The catch-up step of a cutover (docs/migration-cutover.md): after a
 * completed migration, and after the program that writes the legacy file
 * was stopped, migrate the rows that were created after the job's snapshot.
 *
 * It takes a fresh snapshot, compares it with the job's snapshot by key
 * (source-changes.ts), converts each new row with the job's own plan
 * (convertRow) and inserts it into its PostgreSQL table — one transaction
 * per table, a savepoint per row, so a row the target refuses (a foreign key
 * to a row that is not there, a duplicate) is reported, never half-written.
 * Sequences are moved past the new keys. Running it twice adds nothing the
 * second time: a key already in the target is left alone.
 *
 * What it does not do, and says so in its result: change rows whose values
 * changed after the snapshot, delete rows deleted after it, or add rows to
 * MongoDB collections. Those need a fresh migration.
 */
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { NovaError } from '../errors.js';
import { convertRow } from './convert-row.js';
import { preflight } from './preflight.js';
import type { ResolvedPostgresTarget, ResolvedTable } from './resolved-plan.js';
import { pgQuery } from './run/pg-query.js';
import { planChanged } from './run/resume-rules.js';
import { requireUrl } from './run/target-urls.js';
import { planForSnapshot } from './run/job-setup.js';
import { JOB_STATE_FILE, LocalJobState } from './run/local-job-state.js';
import { openMigrationPg, type MigrationPg } from './run/pg-session.js';
import { outputKinds } from './run/pg-target.js';
import { pgText } from './run/pg-text.js';
import { compareWithSnapshot, type TableDrift } from './run/source-changes.js';
import { needsSafeIntegers } from './run/source-reader.js';
import { quoteIdent } from './sqlite-ident.js';

export interface CatchUpOptions {
  source: string;
  /** The completed job's directory (the migration's --report). */
  jobDir: string;
  postgresUrl?: string;
  signal?: AbortSignal;
}

export interface CatchUpTable {
  table: string;
  target: string;
  /** Rows whose key the job's snapshot did not have. */
  newRows: number;
  inserted: number;
  /** New in the source, but a row with that key is already in the target (an earlier catch-up). */
  alreadyThere: number;
  rejected: { key: string; reason: string }[];
  /** Seen, not applied: see the module comment. */
  changed: number;
  removed: number;
}

export interface CatchUpResult {
  ok: boolean;
  source: string;
  snapshot: string;
  tables: CatchUpTable[];
  /** Tables with new rows whose target is MongoDB: not caught up. */
  notCaughtUp: string[];
  reportFile: string;
}

const pgIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function keyColumns(table: ResolvedTable): string[] {
  return table.keyColumns.length > 0 ? table.keyColumns : table.rowidName ? [table.rowidName] : [];
}

function noCompletedJob(jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `There is no completed migration in ${jobDir} to catch up.`,
    {
      fix: 'Finish the migration first (resume it if it stopped), then run the catch-up with the same --report.',
    },
  );
}

export async function catchUpMigration(options: CatchUpOptions): Promise<CatchUpResult> {
  const jobDir = resolve(options.jobDir);
  // Never create a job state where there is none (LocalJobState would).
  if (!existsSync(join(jobDir, JOB_STATE_FILE))) throw noCompletedJob(jobDir);
  const local = new LocalJobState(join(jobDir, JOB_STATE_FILE));
  let pg: MigrationPg | null = null;
  try {
    const job = local.job();
    if (!job || job.status !== 'completed') throw noCompletedJob(jobDir);
    if (resolve(options.source) !== job.sourceFile) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The migration in ${jobDir} is of ${job.sourceFile}, not ${resolve(options.source)}.`,
        { fix: `Catch it up with --source ${job.sourceFile}.` },
      );
    }
    const planFile =
      job.planSource !== 'builtin' && job.planSource !== 'auto' ? job.planSource : undefined;
    const sp = await planForSnapshot(job.snapshotFile, planFile);
    if (sp.hash !== job.planHash) throw planChanged(jobDir);

    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const pf = await preflight(options.source, jobDir, {
      snapshotName: `catch-up-${stamp}.sqlite`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await chmod(pf.snapshotFile, 0o600);
    const drift = new Map<string, TableDrift>(
      compareWithSnapshot(pf.snapshotFile, job.snapshotFile, sp.resolved.tables).map((d) => [
        d.table,
        d,
      ]),
    );

    const tables: CatchUpTable[] = [];
    const notCaughtUp: string[] = [];
    const db = new Database(pf.snapshotFile, { readonly: true, fileMustExist: true });
    try {
      db.prepare('ATTACH DATABASE ? AS snap').run(job.snapshotFile);
      for (const table of sp.resolved.tables) {
        const d = drift.get(table.source);
        if (!d) continue;
        options.signal?.throwIfAborted();
        if (table.target.kind !== 'postgres') {
          if (d.added > 0) notCaughtUp.push(table.source);
          continue;
        }
        pg ??= await openMigrationPg(requireUrl(options.postgresUrl, 'postgres'));
        const migration = pg;
        const target = table.target;
        const result: CatchUpTable = {
          table: table.source,
          target: target.table,
          newRows: d.added,
          inserted: 0,
          alreadyThere: 0,
          rejected: [],
          changed: d.changed,
          removed: d.removed,
        };
        if (d.added > 0)
          await pgQuery(migration, (c) => insertNewRows(db, table, target, c, result));
        tables.push(result);
      }
    } finally {
      db.close();
    }
    const result: CatchUpResult = {
      ok: tables.every((t) => t.rejected.length === 0) && notCaughtUp.length === 0,
      source: job.sourceFile,
      snapshot: pf.snapshotFile,
      tables,
      notCaughtUp,
      reportFile: join(jobDir, `catch-up-${stamp}.json`),
    };
    await writeFile(result.reportFile, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
    return result;
  } finally {
    local.close();
    await pg?.close().catch(() => undefined);
  }
}

async function insertNewRows(
  db: Database.Database,
  table: ResolvedTable,
  target: ResolvedPostgresTarget,
  client: PoolClient,
  result: CatchUpTable,
): Promise<void> {
  const key = keyColumns(table);
  const t = quoteIdent(table.source);
  const on = key.map((k) => `o.${quoteIdent(k)} IS n.${quoteIdent(k)}`).join(' AND ');
  const select = db.prepare(
    `SELECT ${[...table.readColumns, ...key].map((c) => `n.${quoteIdent(c)}`).join(', ')}
       FROM main.${t} n WHERE NOT EXISTS (SELECT 1 FROM snap.${t} o WHERE ${on})
      ORDER BY ${key.map((k) => `n.${quoteIdent(k)}`).join(', ')}`,
  );
  select.raw(true).safeIntegers(needsSafeIntegers(db, table));
  const kinds = outputKinds(table);
  const columns = table.outputColumns.map(pgIdent).join(', ');
  const params = table.outputColumns.map((_c, i) => `$${i + 1}`).join(', ');
  const insert = `INSERT INTO ${pgIdent(target.table)} (${columns}) VALUES (${params}) ON CONFLICT DO NOTHING`;
  await client.query('BEGIN');
  try {
    for (const raw of select.iterate() as IterableIterator<unknown[]>) {
      const row = raw.slice(0, table.readColumns.length);
      const keyText = raw
        .slice(table.readColumns.length)
        .map((v) => String(v))
        .join(',');
      const converted = convertRow(table, row);
      if (!converted.ok) {
        result.rejected.push({
          key: keyText,
          reason: `${converted.reject.column}: ${converted.reject.reason}`,
        });
        continue;
      }
      const values = converted.values.map((v, i) =>
        v === null || v === undefined ? null : pgText(kinds[i]!, v),
      );
      await client.query('SAVEPOINT row');
      try {
        const r = await client.query(insert, values);
        if (r.rowCount === 1) result.inserted += 1;
        else result.alreadyThere += 1;
        await client.query('RELEASE SAVEPOINT row');
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT row');
        result.rejected.push({ key: keyText, reason: (err as Error).message });
      }
    }
    await bumpSequences(client, target);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Moves an identity/serial sequence of a one-column key past the keys just inserted. */
async function bumpSequences(client: PoolClient, target: ResolvedPostgresTarget): Promise<void> {
  if (target.primaryKey.length !== 1) return;
  const column = target.primaryKey[0]!;
  const { rows } = await client.query<{ seq: string | null }>(
    'SELECT pg_get_serial_sequence($1, $2) AS seq',
    [pgIdent(target.table), column],
  );
  const seq = rows[0]?.seq;
  if (!seq) return;
  await client.query(
    `SELECT setval($1::regclass, GREATEST((SELECT max(${pgIdent(column)}) FROM ${pgIdent(target.table)}), (SELECT last_value FROM ${seq})))`,
    [seq],
  );
}
