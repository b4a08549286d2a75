/**
 * The careful path (pg-stage.ts) must cost work proportional to the rows it
 * classifies. The measure is not the clock (a shared machine) but the work
 * the server reports: every data statement the stage sends is executed under
 * EXPLAIN (ANALYZE) and the rows each plan node produced or discarded, times
 * its loops, are summed. A nested loop of the staged rows against themselves
 * (an unanalyzed staging table gets such plans) shows up as rows × rows; a
 * bisection that re-runs every statement per round shows up in the
 * statement count. The same defect mix at 2,000 and at 8,000 rows must cost
 * about 4× as much, not 16×.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastKind } from '../../../main/core/migrate/casts/index.js';
import type {
  ResolvedPostgresTarget,
  ResolvedTable,
} from '../../../main/core/migrate/resolved-plan.js';
import {
  createStage,
  stageBatch,
  type StageStatus,
} from '../../../main/core/migrate/run/pg-stage.js';
import type { PreparedPgTable } from '../../../main/core/migrate/run/pg-target.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let db: ScratchDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createScratchDatabase('nova_mig_stage_linear');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text,
                        counter integer CHECK (counter >= 0), manager bigint REFERENCES users (id));
    CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
    CREATE TABLE user_roles (user_id bigint NOT NULL REFERENCES users (id), role_id integer NOT NULL,
                             PRIMARY KEY (user_id, role_id));`);
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

function prepared(
  name: string,
  columns: string[],
  kinds: CastKind[],
  types: string[],
  rest: Pick<PreparedPgTable, 'notNull' | 'primaryKey' | 'uniqueKeys' | 'orphanChecks'>,
): PreparedPgTable {
  const target: ResolvedPostgresTarget = {
    kind: 'postgres',
    table: name,
    columnTypes: types,
    primaryKey: rest.primaryKey,
    uniqueKeys: [],
    foreignKeys: [],
    indexes: [],
    dedupe: 'exact-duplicates',
    onConflict: 'error',
    create: false,
    addColumns: [],
  };
  // The stage reads only the target half of the resolved table.
  const table = { source: name, target } as unknown as ResolvedTable;
  return { table, target, name, columns, kinds, types, ...rest };
}

const USERS = prepared(
  'users',
  ['id', 'email', 'name', 'counter', 'manager'],
  ['bigint', 'text', 'text', 'integer', 'bigint'],
  ['bigint', 'text', 'text', 'integer', 'bigint'],
  {
    notNull: ['id', 'email'],
    primaryKey: ['id'],
    uniqueKeys: [
      { columns: ['id'], lower: false, name: 'users_pkey' },
      { columns: ['email'], lower: true, name: 'users_email_lower_key' },
    ],
    orphanChecks: [
      {
        name: 'users_manager_fkey',
        columns: ['manager'],
        parentSql: 'users',
        parentColumns: ['id'],
        selfReference: true,
      },
    ],
  },
);

const USER_ROLES = prepared(
  'user_roles',
  ['user_id', 'role_id'],
  ['bigint', 'integer'],
  ['bigint', 'integer'],
  {
    notNull: ['user_id', 'role_id'],
    primaryKey: ['user_id', 'role_id'],
    uniqueKeys: [{ columns: ['user_id', 'role_id'], lower: false, name: 'user_roles_pkey' }],
    orphanChecks: [
      {
        name: 'user_roles_user_id_fkey',
        columns: ['user_id'],
        parentSql: 'users',
        parentColumns: ['id'],
        selfReference: false,
      },
    ],
  },
);

type Defect = 'duplicate' | 'conflict' | 'not-null' | 'orphan' | 'error' | null;

/** About 1% of each defect, spread through the batch by row number. */
function userDefect(i: number): Defect {
  if (i <= 50) return null;
  if (i % 89 === 0 && userDefect(i - 1) === null) return 'duplicate';
  if (i % 97 === 0 && userDefect(i - 50) === null) return 'conflict';
  if (i % 101 === 0) return 'not-null';
  if (i % 103 === 0) return 'orphan';
  if (i % 107 === 0) return 'error';
  return null;
}

/**
 * `n` user lines, ids from `base`: exact duplicates of the previous row,
 * case-duplicate e-mails of an earlier row, NULL e-mails, managers that do
 * not exist, counters the CHECK refuses; every 13th row has a manager
 * earlier in the same batch (the self-reference check).
 */
function userLines(n: number, base: number): { lines: string[]; expected: Record<string, number> } {
  const lines: string[] = [];
  const expected: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = base + i;
    const defect = userDefect(i);
    const key = defect ?? 'migrated';
    expected[key] = (expected[key] ?? 0) + 1;
    const manager = i > 10 && i % 13 === 0 && userDefect(i - 7) === null ? String(id - 7) : '\\N';
    if (defect === 'duplicate') lines.push(lines[i - 1]!);
    else if (defect === 'conflict') lines.push(`${id}\tUSER${id - 50}@Example.com\tDup\t1\t\\N`);
    else if (defect === 'not-null') lines.push(`${id}\t\\N\tNo mail\t1\t\\N`);
    else if (defect === 'orphan') lines.push(`${id}\tuser${id}@example.com\tOrphan\t1\t${-id}`);
    else if (defect === 'error')
      lines.push(`${id}\tuser${id}@example.com\tNegative\t-1\t${manager}`);
    else lines.push(`${id}\tuser${id}@example.com\tUser ${i}\t${i % 50}\t${manager}`);
  }
  return { lines, expected };
}

/** Role lines for existing users [base, base+n): orphans and exact duplicates, ~1% each. */
function roleLines(n: number, base: number): { lines: string[]; expected: Record<string, number> } {
  const lines: string[] = [];
  const expected: Record<string, number> = {};
  const count = (k: string): void => void (expected[k] = (expected[k] ?? 0) + 1);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % 89 === 0 && (i - 1) % 97 !== 0) {
      lines.push(lines[i - 1]!);
      count('duplicate');
    } else if (i % 97 === 0) {
      lines.push(`${-(base + i)}\t2`);
      count('orphan');
    } else {
      lines.push(`${base + i}\t${1 + (i % 3)}`);
      count('migrated');
    }
  }
  return { lines, expected };
}

interface Work {
  statements: number;
  rows: number;
}

interface PlanNode {
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows a plan node produced or looked at and discarded, over all its loops, with its children. */
function rowsTouched(node: PlanNode): number {
  const loops = node['Actual Loops'] ?? 1;
  const own =
    (node['Actual Rows'] ?? 0) +
    (node['Rows Removed by Filter'] ?? 0) +
    (node['Rows Removed by Join Filter'] ?? 0) +
    (node['Rows Removed by Index Recheck'] ?? 0);
  return own * loops + (node.Plans ?? []).reduce((sum, child) => sum + rowsTouched(child), 0);
}

/**
 * Runs `fn` with the client's data statements executed under EXPLAIN
 * (ANALYZE): they still run for real (their results are not read by the
 * stage), and their plans say how many rows each one touched.
 */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; work: Work }> {
  const work: Work = { statements: 0, rows: 0 };
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const instrumented = async (text: unknown, params?: unknown[]): Promise<unknown> => {
    if (typeof text === 'string' && /^\s*(WITH|UPDATE|INSERT|DELETE)\b/i.test(text)) {
      work.statements++;
      const res = (await original(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params)) as {
        rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[];
      };
      work.rows += rowsTouched(res.rows[0]!['QUERY PLAN'][0]!.Plan);
      return { rows: [], rowCount: 0 };
    }
    if (typeof text === 'string') work.statements++;
    return original(text, params);
  };
  (client as unknown as { query: unknown }).query = (text: unknown, params?: unknown[]) =>
    typeof text === 'string' ? instrumented(text, params) : original(text, params);
  try {
    return { result: await fn(), work };
  } finally {
    (client as unknown as { query: unknown }).query = original;
  }
}

function tally(statuses: StageStatus[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s.status] = (out[s.status] ?? 0) + 1;
  return out;
}

async function stageUsers(n: number, base: number): Promise<Work> {
  const { lines, expected } = userLines(n, base);
  await client.query('BEGIN');
  try {
    await createStage(client, USERS);
    const { result, work } = await measured(() => stageBatch(client, USERS, lines, []));
    expect(tally(result)).toEqual(expected);
    await client.query('COMMIT');
    return work;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

async function stageRoles(n: number, base: number): Promise<Work> {
  const { lines, expected } = roleLines(n, base);
  await client.query(
    `INSERT INTO users (id, email) SELECT g, 'role' || g || '@example.com' FROM generate_series($1::bigint, $2::bigint) g`,
    [base, base + n - 1],
  );
  await client.query('BEGIN');
  try {
    await createStage(client, USER_ROLES);
    const { result, work } = await measured(() => stageBatch(client, USER_ROLES, lines, []));
    expect(tally(result)).toEqual(expected);
    await client.query('COMMIT');
    return work;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

describe('careful path cost', { timeout: 900_000 }, () => {
  it('users (unique keys, self-reference, NOT NULL, a CHECK): 4× the rows cost at most ~5× the work', async () => {
    const small = await stageUsers(2_000, 100_000);
    const large = await stageUsers(8_000, 200_000);
    const rowRatio = large.rows / small.rows;
    const statementRatio = large.statements / small.statements;
    // Linear is 4×; a nested loop of the stage against itself would be ~16×.
    expect(rowRatio, JSON.stringify({ small, large })).toBeLessThan(5.5);
    expect(statementRatio, JSON.stringify({ small, large })).toBeLessThan(5.5);
    // And in absolute terms: a bounded number of rows touched per staged row.
    expect(large.rows / 8_000).toBeLessThan(60);
  });

  it('a junction table (orphans, exact duplicates): 4× the rows cost at most ~5× the work', async () => {
    const small = await stageRoles(2_000, 1_000_000);
    const large = await stageRoles(8_000, 2_000_000);
    expect(large.rows / small.rows, JSON.stringify({ small, large })).toBeLessThan(5.5);
    expect(large.statements / small.statements, JSON.stringify({ small, large })).toBeLessThan(5.5);
    expect(large.rows / 8_000).toBeLessThan(60);
  });
});
