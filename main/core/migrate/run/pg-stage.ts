/**
 * The careful path for a batch whose plain COPY failed: the batch goes into
 * a temporary staging table and set-based statements sort every row into
 * exactly one outcome, in source order —
 *
 *   not-null   a NULL in a NOT NULL target column
 *   orphan     a foreign key without its parent row
 *   claimed    the row is a pre-existing target row (e.g. a seeded role): kept
 *              as-is when identical, else overwritten (`onConflict: 'update'`)
 *   migrated   inserted (INSERT … ON CONFLICT DO NOTHING, in source order)
 *   duplicate  identical to the row already holding its key
 *   conflict   a different row already holds one of its unique keys
 *   error      the database refused the row (a CHECK, an invalid value…)
 *
 * Which staged rows an INSERT inserted is found by joining its RETURNING
 * rows to the staged rows on their COPY line (pg-line-sql.ts), counting
 * repeats, so identical rows are matched one for one.
 *
 * Rows the database refuses for reasons no statement checks beforehand (a
 * CHECK constraint, a value the column type rejects) abort the statement;
 * the range is then bisected under savepoints until the refused rows are
 * isolated and recorded as `error`, while every other row is classified.
 *
 * The cost stays linear in the staged rows:
 * - the staging table is indexed on its row number and ANALYZEd once filled.
 *   A temporary table is never analyzed by autovacuum, and without
 *   statistics the planner's default guesses for `nova_status IS NULL` and
 *   the row range (0.5% each) make every join over the stage a nested loop
 *   of the stage against itself or the target — rows × rows;
 * - the statements are run in three groups: the checks before the INSERT
 *   (NOT NULL, orphans, claims) once over the whole batch, then the INSERT,
 *   the only statement the database refuses rows in, bisected alone, then
 *   the classification of the rows it did not insert, once. A refused row
 *   costs O(log n) INSERTs, not a re-run of every statement per round.
 */
import type pg from 'pg';
import { quoteIdent, quoteIdentList } from '../sqlite-ident.js';
import { copyLines } from './pg-copy.js';
import { lineSql } from './pg-line-sql.js';
import type { PreparedPgTable } from './pg-target.js';

export const STAGE_TABLE = 'nova_migration_stage';

export type StageStatus =
  | { status: 'migrated' }
  | { status: 'claimed'; key: string }
  | { status: 'not-null'; column: string }
  | { status: 'orphan'; check: number }
  | { status: 'duplicate' | 'conflict'; uniqueKey: number; other: string }
  | { status: 'error'; sqlstate: string; message: string };

/** SQLSTATE classes that mean "this data", not "this connection or this SQL": 22 data exception, 23 integrity. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/** (Re)creates the session's staging table with the target's column types. */
export async function createStage(client: pg.ClientBase, prep: PreparedPgTable): Promise<void> {
  const cols = prep.types.map((type, i) => `c${i} ${type}`);
  await client.query(`DROP TABLE IF EXISTS pg_temp.${STAGE_TABLE}`);
  // The primary key serves the statements' joins back to a staged row (and the delete of a refused one).
  await client.query(
    `CREATE TEMP TABLE ${STAGE_TABLE} (nova_ord integer PRIMARY KEY, ${cols.join(', ')},
       nova_status text, nova_detail text, nova_other text) ON COMMIT DELETE ROWS`,
  );
}

/**
 * Classifies `lines` (COPY lines of the batch, in source order) inside the
 * caller's transaction. Returns one status per line; rows that are migrated
 * or claimed are in the target when the transaction commits.
 */
export async function stageBatch(
  client: pg.ClientBase,
  prep: PreparedPgTable,
  lines: readonly string[],
  preexisting: readonly string[],
): Promise<StageStatus[]> {
  const statuses: StageStatus[] = new Array<StageStatus>(lines.length);
  const copySql = `COPY ${STAGE_TABLE} (nova_ord, ${prep.columns.map((_, i) => `c${i}`).join(', ')}) FROM STDIN`;
  await bisect(
    client,
    0,
    lines.length - 1,
    async (lo, hi) => {
      const slice: string[] = [];
      for (let i = lo; i <= hi; i++) slice.push(`${i}\t${lines[i]!}`);
      await copyLines(client, copySql, slice);
    },
    (ord, err) => {
      statuses[ord] = errorStatus(err);
    },
  );

  // Statistics for the planner: see the header (why a temporary table needs them).
  await client.query(`ANALYZE pg_temp.${STAGE_TABLE}`);

  const sql = classificationSql(prep, preexisting.length > 0);
  const last = lines.length - 1;
  const refused = (ord: number, err: unknown): void => {
    statuses[ord] = errorStatus(err);
  };
  const runAll =
    (statements: readonly Statement[]) =>
    async (lo: number, hi: number): Promise<void> => {
      for (const statement of statements)
        await client.query(statement.text, statement.params(lo, hi, preexisting));
    };
  await bisect(client, 0, last, runAll(sql.before), refused);
  await bisect(client, 0, last, runAll([sql.insert]), refused);
  await bisect(client, 0, last, runAll(sql.after), refused);

  const { rows } = await client.query<{
    nova_ord: number;
    nova_status: string | null;
    nova_detail: string | null;
    nova_other: string | null;
  }>(`SELECT nova_ord, nova_status, nova_detail, nova_other FROM ${STAGE_TABLE}`);
  for (const r of rows) statuses[r.nova_ord] = toStatus(r.nova_status, r.nova_detail, r.nova_other);
  await client.query(`TRUNCATE ${STAGE_TABLE}`);
  for (let i = 0; i < statuses.length; i++)
    statuses[i] ??= { status: 'error', sqlstate: 'XX000', message: 'row was not classified' };
  return statuses;
}

function errorStatus(err: unknown): StageStatus {
  return {
    status: 'error',
    sqlstate: String((err as { code?: unknown }).code ?? ''),
    message: err instanceof Error ? err.message : String(err),
  };
}

function toStatus(status: string | null, detail: string | null, other: string | null): StageStatus {
  switch (status) {
    case 'migrated':
      return { status: 'migrated' };
    case 'claimed':
      return { status: 'claimed', key: other ?? '' };
    case 'not-null':
      return { status: 'not-null', column: detail ?? '' };
    case 'orphan':
      return { status: 'orphan', check: Number(detail) };
    case 'duplicate':
    case 'conflict':
      return { status, uniqueKey: Number(detail), other: other ?? '' };
    default:
      return {
        status: 'error',
        sqlstate: 'XX000',
        message: `unexpected staging status ${String(status)}`,
      };
  }
}

/**
 * Runs `work` on [lo, hi] under a savepoint; when the database refuses some
 * row's data, splits the range until single rows are left and reports those.
 */
async function bisect(
  client: pg.ClientBase,
  lo: number,
  hi: number,
  work: (lo: number, hi: number) => Promise<void>,
  refused: (ord: number, err: unknown) => void,
): Promise<void> {
  if (lo > hi) return;
  await client.query('SAVEPOINT nova_stage_range');
  try {
    await work(lo, hi);
    await client.query('RELEASE SAVEPOINT nova_stage_range');
    return;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT nova_stage_range');
    await client.query('RELEASE SAVEPOINT nova_stage_range');
    if (!isDataError(err)) throw err;
    if (lo === hi) {
      refused(lo, err);
      await client.query(`DELETE FROM ${STAGE_TABLE} WHERE nova_ord = $1`, [lo]);
      return;
    }
  }
  const mid = Math.floor((lo + hi) / 2);
  await bisect(client, lo, mid, work, refused);
  await bisect(client, mid + 1, hi, work, refused);
}

interface Statement {
  text: string;
  params: (lo: number, hi: number, preexisting: readonly string[]) => unknown[];
}

const RANGE = 's.nova_status IS NULL AND s.nova_ord BETWEEN $1 AND $2';
const range = (lo: number, hi: number): unknown[] => [lo, hi];

/**
 * The statements that classify the staged rows of one range: `before` the
 * INSERT (NOT NULL, orphans, claims), the INSERT, and `after` it (why a row
 * was not inserted). Each group may run over the whole batch at once.
 */
export interface ClassificationSql {
  before: Statement[];
  insert: Statement;
  after: Statement[];
}

export function classificationSql(prep: PreparedPgTable, withClaims: boolean): ClassificationSql {
  const T = quoteIdent(prep.name);
  const idx = new Map(prep.columns.map((c, i) => [c, i]));
  const s = (col: string): string => `s.c${idx.get(col)!}`;
  const t = (col: string): string => `t.${quoteIdent(col)}`;
  const lineS = lineSql(
    prep.columns.map((_, i) => `s.c${i}`),
    prep.kinds,
  );
  const lineT = lineSql(prep.columns.map(t), prep.kinds);
  const mapped = (cols: readonly string[]): boolean => cols.every((c) => idx.has(c));
  const out: Statement[] = [];
  const after: Statement[] = [];

  if (prep.notNull.length > 0) {
    const cases = prep.notNull.map((c) => `WHEN ${s(c)} IS NULL THEN ${literal(c)}`).join(' ');
    out.push({
      text: `UPDATE ${STAGE_TABLE} s SET nova_status = 'not-null', nova_detail = CASE ${cases} END
              WHERE ${RANGE} AND (${prep.notNull.map((c) => `${s(c)} IS NULL`).join(' OR ')})`,
      params: range,
    });
  }

  prep.orphanChecks.forEach((fk, j) => {
    if (!mapped(fk.columns)) return;
    const notNull = fk.columns.map((c) => `${s(c)} IS NOT NULL`).join(' AND ');
    const match = (alias: string, ref: (c: string) => string): string =>
      fk.columns
        .map((c, k) => `${alias}.${quoteIdent(fk.parentColumns[k]!)} = ${ref(c)}`)
        .join(' AND ');
    let missing = `NOT EXISTS (SELECT 1 FROM ${fk.parentSql} p WHERE ${match('p', s)})`;
    if (fk.selfReference && mapped(fk.parentColumns)) {
      // A parent in the same batch will be inserted by the same statement.
      const inStage = fk.columns
        .map((c, k) => `s2.c${idx.get(fk.parentColumns[k]!)!} = ${s(c)}`)
        .join(' AND ');
      missing += ` AND NOT EXISTS (SELECT 1 FROM ${STAGE_TABLE} s2 WHERE s2.nova_status IS NULL AND ${inStage})`;
    }
    out.push({
      text: `UPDATE ${STAGE_TABLE} s SET nova_status = 'orphan', nova_detail = '${j}'
              WHERE ${RANGE} AND ${notNull} AND ${missing}`,
      params: range,
    });
  });

  if (withClaims && prep.primaryKey.length > 0 && mapped(prep.primaryKey)) {
    const pkS = prep.primaryKey.map(s).join(', ');
    const pkJoin = prep.primaryKey.map((c) => `${t(c)} = ${s(c)}`).join(' AND ');
    const keyT = `jsonb_build_array(${prep.primaryKey.map(t).join(', ')})::text`;
    out.push({
      text: `WITH c AS (
               SELECT DISTINCT ON (${pkS}) s.nova_ord, ${lineT} = ${lineS} AS same, ${keyT} AS k
                 FROM ${STAGE_TABLE} s JOIN ${T} t ON ${pkJoin}
                WHERE ${RANGE} AND ${keyT} = ANY ($3::text[])
                ORDER BY ${pkS}, s.nova_ord)
             UPDATE ${STAGE_TABLE} x SET nova_status = CASE WHEN c.same THEN 'claimed' ELSE 'claim-update' END,
                    nova_other = c.k
               FROM c WHERE x.nova_ord = c.nova_ord`,
      params: (lo, hi, pre) => [lo, hi, pre],
    });
    if (prep.target.onConflict === 'update') {
      const set = `(${quoteIdentList(prep.columns)}) = ROW(${prep.columns.map((_, i) => `s.c${i}`).join(', ')})`;
      out.push({
        text: `UPDATE ${T} t SET ${set} FROM ${STAGE_TABLE} s
                WHERE s.nova_status = 'claim-update' AND s.nova_ord BETWEEN $1 AND $2 AND ${pkJoin}`,
        params: range,
      });
      out.push({
        text: `UPDATE ${STAGE_TABLE} s SET nova_status = 'claimed'
                WHERE s.nova_status = 'claim-update' AND s.nova_ord BETWEEN $1 AND $2`,
        params: range,
      });
    } else {
      // 'skip' / 'error': the existing row stays; the source row is reported as a conflict below.
      out.push({
        text: `UPDATE ${STAGE_TABLE} s SET nova_status = NULL, nova_other = NULL
                WHERE s.nova_status = 'claim-update' AND s.nova_ord BETWEEN $1 AND $2`,
        params: range,
      });
    }
  }

  const values = prep.columns.map((_, i) => `c${i}`).join(', ');
  const insert: Statement = {
    text: `WITH ins AS (
             INSERT INTO ${T} AS t (${quoteIdentList(prep.columns)})
             SELECT ${values} FROM ${STAGE_TABLE} s WHERE ${RANGE} ORDER BY s.nova_ord
             ON CONFLICT DO NOTHING
             RETURNING ${lineT} AS line),
           i AS (SELECT line, row_number() OVER (PARTITION BY line) AS n FROM ins),
           st AS (SELECT s.nova_ord, ${lineS} AS line,
                         row_number() OVER (PARTITION BY ${lineS} ORDER BY s.nova_ord) AS n
                    FROM ${STAGE_TABLE} s WHERE ${RANGE})
           UPDATE ${STAGE_TABLE} x SET nova_status = 'migrated'
             FROM st JOIN i ON i.line = st.line AND i.n = st.n
            WHERE x.nova_ord = st.nova_ord`,
    params: range,
  };

  prep.uniqueKeys.forEach((k, j) => {
    if (!mapped(k.columns)) return;
    const side = (ref: (c: string) => string) => (c: string) =>
      k.lower ? `lower(${ref(c)})` : ref(c);
    const match = k.columns.map((c) => `${side(t)(c)} = ${side(s)(c)}`).join(' AND ');
    const otherCols =
      prep.primaryKey.length > 0 && mapped(prep.primaryKey) ? prep.primaryKey : k.columns;
    const other = `jsonb_build_object(${otherCols.map((c) => `${literal(c)}, ${t(c)}`).join(', ')})::text`;
    after.push({
      text: `UPDATE ${STAGE_TABLE} s SET
               nova_status = CASE WHEN ${lineT} = ${lineS} THEN 'duplicate' ELSE 'conflict' END,
               nova_detail = '${j}', nova_other = ${other}
               FROM ${T} t WHERE ${RANGE} AND ${match}`,
      params: range,
    });
  });
  // Still unplaced: a conflict on a unique index the plan does not describe (e.g. an expression index).
  after.push({
    text: `UPDATE ${STAGE_TABLE} s SET nova_status = 'conflict', nova_detail = '-1', nova_other = ''
            WHERE ${RANGE}`,
    params: range,
  });
  return { before: out, insert, after };
}

function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
