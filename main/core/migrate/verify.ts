/**
 * Verify (main/core/migrate/README.md#verify): per table, counts and a content checksum on both sides.
 *
 * - Accounting: the snapshot's row count must equal migrated + duplicates +
 *   rejected — every source row is in exactly one outcome.
 * - Content: the source side is the checksum the load accumulated over the
 *   converted values of every migrated row (the md5 of each row's COPY line,
 *   committed with each batch, so it survives resumes); the target side is
 *   the same sum computed by the target over what it stores now (each row's
 *   line rebuilt in SQL from its stored values, see pg-line-sql.ts; for
 *   MongoDB, each document's fields). Equal counts and equal sums mean the
 *   target holds exactly the migrated rows, each once, with the same values.
 *
 * Target rows that were there before the job and no source row claimed (a
 * seeded role the legacy file lacks) are left out of the target side.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { quoteIdent } from './sqlite-ident.js';
import type { ResolvedTable } from './resolved-plan.js';
import type { TableProgress } from './run/job-types.js';
import { docLine } from './run/mongo-docs.js';
import type { MongoMigrationTarget } from './run/mongo-target.js';
import { describeTable } from './run/pg-catalog.js';
import { lineSql } from './run/pg-line-sql.js';
import { outputKinds } from './run/pg-target.js';
import { hashSql, RowHasher, type HashKind } from './run/row-hash.js';

export interface TableVerification {
  /** Rows in the source snapshot. */
  sourceRows: number;
  /** migrated + duplicates + rejected === sourceRows. */
  accounted: boolean;
  /** Rows (documents) in the target that came from this job. */
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  verified: boolean;
  /** Why verification failed, in words; empty when verified. */
  problems: string[];
}

export function countSourceRows(db: Database.Database, table: ResolvedTable): number {
  return db
    .prepare(`SELECT count(*) FROM ${quoteIdent(table.source)}`)
    .pluck()
    .get() as number;
}

export async function verifyPgTable(
  client: Pick<pg.ClientBase, 'query'>,
  source: Database.Database,
  table: ResolvedTable,
  progress: TableProgress,
  hash: HashKind,
): Promise<TableVerification> {
  const name = table.target.kind === 'postgres' ? table.target.table : '';
  const pgTable = await describeTable(client, name);
  const pk =
    pgTable?.indexes.find((ix) => ix.primary)?.columns.filter((c): c is string => c !== null) ?? [];
  // Only the columns where the load escaped something are escaped again (job-types.ts).
  const escaped = progress.escaped ?? null;
  const line = lineSql(
    table.outputColumns.map((c) => `t.${quoteIdent(c)}`),
    outputKinds(table),
    escaped === null ? undefined : (i) => escaped.includes(table.outputColumns[i]!),
  );
  const exclude =
    progress.preexisting.length > 0 && pk.length > 0
      ? `WHERE jsonb_build_array(${pk.map((c) => `t.${quoteIdent(c)}`).join(', ')})::text <> ALL ($1::text[])`
      : '';
  const { rows } = await client.query<{ n: string; sum: string }>(
    `SELECT count(*)::text AS n, coalesce(sum(${hashSql(hash, line)}), 0)::text AS sum
       FROM ${quoteIdent(name)} t ${exclude}`,
    exclude ? [progress.preexisting] : [],
  );
  return judge(countSourceRows(source, table), progress, Number(rows[0]!.n), rows[0]!.sum);
}

export async function verifyMongoTable(
  target: MongoMigrationTarget,
  source: Database.Database,
  table: ResolvedTable,
  progress: TableProgress,
  hash: HashKind,
): Promise<TableVerification> {
  const collection = table.target.kind === 'mongo' ? table.target.collection : '';
  let n = 0;
  const hasher = new RowHasher(hash);
  for await (const doc of target.scan(collection)) {
    n++;
    hasher.add(docLine(table.outputColumns, doc));
  }
  return judge(countSourceRows(source, table), progress, n, hasher.take().toString());
}

function judge(
  sourceRows: number,
  p: TableProgress,
  targetRows: number,
  targetChecksum: string,
): TableVerification {
  const problems: string[] = [];
  const accounted = p.migrated + p.duplicates + p.rejected === sourceRows;
  if (!accounted) {
    problems.push(
      `the source has ${sourceRows} rows, but ${p.migrated} migrated + ${p.duplicates} duplicates + ${p.rejected} rejected = ${p.migrated + p.duplicates + p.rejected}`,
    );
  }
  if (targetRows !== p.migrated)
    problems.push(
      `the target holds ${targetRows} rows from this migration, ${p.migrated} were migrated`,
    );
  else if (targetChecksum !== p.checksum)
    problems.push(
      'the target rows differ in content from the migrated source rows (checksum mismatch)',
    );
  return {
    sourceRows,
    accounted,
    targetRows,
    sourceChecksum: p.checksum,
    targetChecksum,
    verified: problems.length === 0,
    problems,
  };
}
