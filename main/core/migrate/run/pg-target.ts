/**
 * Getting a PostgreSQL target table ready for its load, and finishing it
 * afterwards (main/core/migrate/README.md#run "keys, indexes and sequences after load").
 *
 * Before: create the table if the plan says so, add the jsonb extra column,
 * make sure every key the plan declares is enforced by the database — unique
 * indexes (lower() for case-insensitive keys) and foreign keys to parents
 * already loaded — so a plain COPY either loads a batch cleanly or fails and
 * the batch is classified row by row (pg-stage.ts). Secondary indexes are
 * dropped for speed, their definitions saved in the job state in the same
 * transaction, so a kill never loses one.
 *
 * After: rebuild those indexes, add foreign keys that could not exist during
 * the load (cycles), validate the ones added NOT VALID, and move sequences
 * past the loaded ids and SQLite's AUTOINCREMENT high-water mark. Every step
 * is idempotent, so a resumed run simply runs them again.
 */
import type pg from 'pg';
import { NovaError } from '../../errors.js';
import type { CastKind } from '../casts/index.js';
import type { ResolvedPostgresTarget, ResolvedTable } from '../resolved-plan.js';
import { quoteIdent, quoteIdentList } from '../sqlite-ident.js';
import { describeTable, objectName, sameColumns, tableOid, type PgTable } from './pg-catalog.js';

type Db = Pick<pg.ClientBase, 'query'>;

/** A unique key the loader classifies conflicts by. */
export interface UniqueKey {
  columns: string[];
  lower: boolean;
  /** Index name, for messages. */
  name: string;
}

/**
 * A foreign key the database enforces during the load: the staging path
 * looks for orphans before inserting, so they become rejects instead of an
 * error that would abort the batch.
 */
export interface OrphanCheck {
  name: string;
  columns: string[];
  /** The parent as SQL (regclass text: quoted, schema-qualified when needed). */
  parentSql: string;
  parentColumns: string[];
  /** The parent is the table itself (a parent row may be in the same batch). */
  selfReference: boolean;
}

export interface PreparedPgTable {
  table: ResolvedTable;
  target: ResolvedPostgresTarget;
  name: string;
  columns: string[];
  /** Cast kind per output column (what convertRow produced). */
  kinds: CastKind[];
  /** The target's actual type per output column (for the staging table). */
  types: string[];
  notNull: string[];
  primaryKey: string[];
  uniqueKeys: UniqueKey[];
  orphanChecks: OrphanCheck[];
}

/** Cast kind of each output column: the plan's columns, then the jsonb extra column. */
export function outputKinds(table: ResolvedTable): CastKind[] {
  return [...table.columns.map((c) => c.type), ...(table.extra ? (['jsonb'] as const) : [])];
}

export async function prepareTable(
  db: Db,
  table: ResolvedTable,
  /** Target tables whose load is complete (parents a foreign key may point at now). */
  loaded: ReadonlySet<string>,
  jobId: string,
  fresh: boolean,
): Promise<PreparedPgTable> {
  const target = table.target as ResolvedPostgresTarget;
  const t = quoteIdent(target.table);
  if (target.create) {
    const defs = table.outputColumns.map(
      (c, i) =>
        `${quoteIdent(c)} ${target.columnTypes[i]!}${target.primaryKey.includes(c) ? ' NOT NULL' : ''}`,
    );
    if (target.primaryKey.length > 0)
      defs.push(`PRIMARY KEY (${quoteIdentList(target.primaryKey)})`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${t} (${defs.join(', ')})`);
  }
  for (const add of target.addColumns)
    await db.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${quoteIdent(add.name)} ${add.type}`);

  let pgTable = await mustDescribe(db, target.table, table.source);
  checkColumns(pgTable, table);

  // Every plan key enforced by a unique index, so conflicts surface as errors, not silent rows.
  const wanted = [
    ...(target.primaryKey.length > 0 ? [{ columns: target.primaryKey, lower: false }] : []),
    ...target.uniqueKeys.map((k) => ({ columns: k.columns, lower: k.normalize === 'lower' })),
  ];
  for (const k of wanted) {
    const exists = pgTable.indexes.some(
      (ix) => ix.unique && !ix.partial && !k.lower && sameColumns(ix.columns, k.columns),
    );
    if (exists) continue;
    const name = objectName(target.table, k.columns, k.lower ? 'lower_key' : 'key');
    const exprs = k.columns.map((c) => (k.lower ? `lower(${quoteIdent(c)})` : quoteIdent(c)));
    await db.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${t} (${exprs.join(', ')})`,
    );
  }

  for (const fk of target.foreignKeys) {
    const parentOid = await tableOid(db, fk.references.table);
    const enforced = pgTable.foreignKeys.some(
      (f) =>
        f.parentOid === parentOid &&
        sameColumns(f.columns, fk.columns) &&
        fk.columns.every(
          (c, i) => f.parentColumns[f.columns.indexOf(c)] === fk.references.columns[i],
        ),
    );
    if (enforced) continue;
    if (!loaded.has(fk.references.table)) continue; // a cycle: added after the load (finishTable)
    // NOT VALID: rows already in the table are not re-checked now; finishTable validates.
    const name = objectName(target.table, fk.columns, 'fkey');
    await db.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ${pgTable.oid} AND conname = ${literal(name)}) THEN
           ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteIdentList(fk.columns)})
             REFERENCES ${quoteIdent(fk.references.table)} (${quoteIdentList(fk.references.columns)}) NOT VALID;
         END IF;
       END $$`,
    );
  }

  if (fresh) await deferSecondaryIndexes(db, jobId, pgTable);
  pgTable = await mustDescribe(db, target.table, table.source);

  const byName = new Map(pgTable.columns.map((c) => [c.name, c]));
  const uniqueKeys: UniqueKey[] = [];
  for (const ix of pgTable.indexes) {
    if (!ix.unique || ix.partial) continue;
    if (ix.columns.every((c): c is string => c !== null))
      uniqueKeys.push({ columns: ix.columns, lower: false, name: ix.name });
  }
  for (const k of wanted.filter((w) => w.lower))
    uniqueKeys.push({
      columns: k.columns,
      lower: true,
      name: objectName(target.table, k.columns, 'lower_key'),
    });
  // Primary key first: it names the row an admin looks for.
  uniqueKeys.sort((a, b) => Number(isPrimary(pgTable, b)) - Number(isPrimary(pgTable, a)));

  return {
    table,
    target,
    name: target.table,
    columns: table.outputColumns,
    kinds: outputKinds(table),
    types: table.outputColumns.map((c) => byName.get(c)!.type),
    notNull: table.outputColumns.filter((c) => byName.get(c)!.notNull),
    primaryKey:
      pgTable.indexes.find((ix) => ix.primary)?.columns.filter((c): c is string => c !== null) ??
      [],
    uniqueKeys,
    orphanChecks: pgTable.foreignKeys.map((f) => ({
      name: f.name,
      columns: f.columns,
      parentSql: f.parentSql,
      parentColumns: f.parentColumns,
      selfReference: f.parentOid === pgTable.oid,
    })),
  };
}

function isPrimary(t: PgTable, k: UniqueKey): boolean {
  return t.indexes.some((ix) => ix.primary && ix.name === k.name);
}

async function mustDescribe(db: Db, name: string, source: string): Promise<PgTable> {
  const t = await describeTable(db, name);
  if (!t) {
    throw new NovaError(
      'MIGRATION_FAILED',
      `The plan loads ${JSON.stringify(source)} into table ${JSON.stringify(name)}, which the target database does not have.`,
      {
        fix: 'Apply the Nova target schema first (the migration does this for the built-in plan), or set "create": true for this table in the plan.',
      },
    );
  }
  return t;
}

function checkColumns(t: PgTable, table: ResolvedTable): void {
  const have = new Set(t.columns.map((c) => c.name));
  const missing = table.outputColumns.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new NovaError(
      'MIGRATION_FAILED',
      `Target table ${JSON.stringify(t.name)} has no column(s) ${missing.map((c) => JSON.stringify(c)).join(', ')}, which the plan maps ${JSON.stringify(table.source)} onto.`,
      {
        fix: `Correct the target column names in the plan (the table has ${t.columns.map((c) => c.name).join(', ')}), or add the columns to the target schema.`,
      },
    );
  }
}

/** Drops non-unique secondary indexes, remembering their definitions in the same transaction. */
async function deferSecondaryIndexes(db: Db, jobId: string, t: PgTable): Promise<void> {
  const secondary = t.indexes.filter((ix) => !ix.unique && !ix.primary && !ix.constraint);
  if (secondary.length === 0) return;
  await db.query('BEGIN');
  try {
    for (const ix of secondary) {
      await db.query(
        `INSERT INTO nova_migration_deferred_indexes (job_id, target_table, index_name, definition)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [jobId, t.name, ix.name, ix.definition],
      );
      await db.query(`DROP INDEX ${quoteIdent(ix.name)}`);
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface FinishOptions {
  /** Reports each step (for progress). */
  onStep?: (step: string) => void;
  /** Things the report should say (a foreign key left NOT VALID because of existing rows…). */
  warnings: string[];
  /** Runs inside each index rebuild's transaction, after CREATE INDEX, before COMMIT (test hook). */
  beforeIndexCommit?: () => Promise<void>;
  /**
   * Another session of the same database, for building deferred indexes in
   * parallel (released with `release()`); without it they are built one
   * after another on `db`.
   */
  connect?: () => Promise<Db & { release: () => void }>;
}

/** Deferred indexes of one table built at once (each on its own session): the sort of each runs on its own core. */
const PARALLEL_INDEX_BUILDS = 3;

type DeferredIndex = { index_name: string; definition: string };

/**
 * Rebuilds one deferred index and forgets its saved definition in the same
 * transaction: a kill before COMMIT leaves both the definition and no index,
 * so a resumed run builds it again (IF NOT EXISTS covers a build that did commit).
 */
async function rebuildIndex(
  db: Db,
  jobId: string,
  ix: DeferredIndex,
  options: FinishOptions,
): Promise<void> {
  options.onStep?.(`index ${ix.index_name}`);
  await db.query('BEGIN');
  try {
    await db.query(
      ix.definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '),
    );
    await options.beforeIndexCommit?.();
    await db.query(
      'DELETE FROM nova_migration_deferred_indexes WHERE job_id = $1 AND index_name = $2',
      [jobId, ix.index_name],
    );
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Builds the deferred indexes on up to PARALLEL_INDEX_BUILDS sessions at
 * once (CREATE INDEX takes a SHARE lock, which does not conflict with
 * another CREATE INDEX on the same table). After a failure the other
 * sessions finish the build they are in (no session is left
 * mid-transaction) and start no other; the first failure is thrown.
 */
async function rebuildDeferredIndexes(
  db: Db,
  jobId: string,
  deferred: DeferredIndex[],
  options: FinishOptions,
): Promise<void> {
  const connect = options.connect;
  if (!connect || deferred.length < 2) {
    for (const ix of deferred) await rebuildIndex(db, jobId, ix, options);
    return;
  }
  const queue = [...deferred];
  let stop = false;
  const worker = async (session: Db): Promise<void> => {
    for (let ix = queue.shift(); ix && !stop; ix = queue.shift()) {
      try {
        await rebuildIndex(session, jobId, ix, options);
      } catch (err) {
        stop = true; // the others finish the build they are in, and start no other
        throw err;
      }
    }
  };
  const extra = async (): Promise<void> => {
    const session = await connect();
    try {
      await worker(session);
    } finally {
      session.release();
    }
  };
  const workers = Math.min(PARALLEL_INDEX_BUILDS, deferred.length);
  const results = await Promise.allSettled([
    worker(db),
    ...Array.from({ length: workers - 1 }, extra),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Indexes, foreign keys and sequences after the load. Idempotent. */
export async function finishTable(
  db: Db,
  jobId: string,
  table: ResolvedTable,
  options: FinishOptions,
): Promise<void> {
  const target = table.target as ResolvedPostgresTarget;
  const t = quoteIdent(target.table);
  const deferred = await db.query<DeferredIndex>(
    'SELECT index_name, definition FROM nova_migration_deferred_indexes WHERE job_id = $1 AND target_table = $2 ORDER BY index_name',
    [jobId, target.table],
  );
  await rebuildDeferredIndexes(db, jobId, deferred.rows, options);

  let pgTable = (await describeTable(db, target.table))!;
  for (const ix of target.indexes) {
    if (pgTable.indexes.some((x) => !x.partial && sameColumns(x.columns, ix.columns))) continue;
    const name = objectName(target.table, ix.columns, 'idx');
    options.onStep?.(`index ${name}`);
    await db.query(
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${t} (${quoteIdentList(ix.columns)})`,
    );
  }

  for (const fk of target.foreignKeys) {
    const parentOid = await tableOid(db, fk.references.table);
    if (
      pgTable.foreignKeys.some(
        (f) => f.parentOid === parentOid && sameColumns(f.columns, fk.columns),
      )
    )
      continue;
    const name = objectName(target.table, fk.columns, 'fkey');
    options.onStep?.(`foreign key ${name}`);
    await db.query(
      `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteIdentList(fk.columns)})
         REFERENCES ${quoteIdent(fk.references.table)} (${quoteIdentList(fk.references.columns)}) NOT VALID`,
    );
  }
  pgTable = (await describeTable(db, target.table))!;
  const invalid = await db.query<{ conname: string }>(
    "SELECT conname FROM pg_constraint WHERE conrelid = $1 AND contype = 'f' AND NOT convalidated",
    [pgTable.oid],
  );
  for (const { conname } of invalid.rows) {
    options.onStep?.(`validate ${conname}`);
    try {
      await db.query(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(conname)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err;
      options.warnings.push(
        `${target.table}: foreign key ${conname} stays NOT VALID: rows loaded before its parent (a foreign-key cycle) have no parent row (${(err as Error).message})`,
      );
    }
  }

  await moveSequences(db, table, pgTable, options);
}

async function moveSequences(
  db: Db,
  table: ResolvedTable,
  pgTable: PgTable,
  options: FinishOptions,
): Promise<void> {
  const rowidKey =
    table.keyColumns.length === 1
      ? table.columns.find((c) => c.source === table.keyColumns[0])
      : undefined;
  for (const col of pgTable.columns) {
    if (col.sequence === null) continue;
    options.onStep?.(`sequence ${col.sequence}`);
    const floor = rowidKey?.target === col.name ? (table.autoincrementSeq ?? 0) : 0;
    // setval(seq, n, true): the next id is n + 1. An empty table with no high-water mark keeps its sequence.
    await db.query(
      `SELECT setval($1::regclass, m, true) FROM (
         SELECT GREATEST((SELECT max(${quoteIdent(col.name)}) FROM ${quoteIdent(pgTable.name)})::bigint, $2::bigint) AS m) x
        WHERE m > 0`,
      [col.sequence, floor],
    );
  }
}

function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** More pre-existing rows than this in a target table means it is not the fresh table a migration expects. */
const MAX_PREEXISTING = 100_000;

/**
 * Keys of the rows a target table holds before the job first touches it
 * (seeded roles and permissions). An empty list for an empty or missing
 * table; refused when the plan does not allow conflicts or the rows cannot
 * be told apart.
 */
export async function preexistingKeys(db: Db, table: ResolvedTable): Promise<string[]> {
  const target = table.target as ResolvedPostgresTarget;
  const pgTable = await describeTable(db, target.table);
  if (!pgTable) return [];
  const t = quoteIdent(target.table);
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t}`);
  const count = Number(rows[0]!.n);
  if (count === 0) return [];
  const pk = pgTable.indexes.find((ix) => ix.primary)?.columns ?? [];
  const where = `Target table ${JSON.stringify(target.table)} already holds ${count} row(s)`;
  if (target.onConflict === 'error') {
    throw new NovaError(
      'MIGRATION_FAILED',
      `${where}, and the plan says onConflict: 'error' for ${JSON.stringify(table.source)}.`,
      {
        fix: "Migrate into a fresh database (the migration applies the Nova schema itself), or empty that table; a plan may allow existing rows with onConflict 'update' or 'skip'.",
      },
    );
  }
  if (pk.length === 0 || pk.some((c) => c === null) || count > MAX_PREEXISTING) {
    throw new NovaError(
      'MIGRATION_FAILED',
      `${where}${pk.length === 0 ? ' and has no primary key, so its rows cannot be told apart from migrated ones' : ''}.`,
      {
        fix: 'Migrate into a fresh database, or empty that table first.',
      },
    );
  }
  const keys = await db.query<{ k: string }>(
    `SELECT jsonb_build_array(${(pk as string[]).map(quoteIdent).join(', ')})::text AS k FROM ${t}`,
  );
  return keys.rows.map((r) => r.k);
}
