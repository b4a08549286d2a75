/**
 * finishTable rebuilding a table's deferred secondary indexes against a real
 * PostgreSQL: with a way to open more sessions they are built at the same
 * time (each in its own transaction, its saved definition deleted in the
 * same transaction), and a failing build leaves the others built, its own
 * definition saved for the resumed run, and no session mid-transaction.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedTable } from '../../../main/core/migrate/resolved-plan.js';
import { ensureJobTables, insertJob } from '../../../main/core/migrate/run/pg-job-state.js';
import { finishTable } from '../../../main/core/migrate/run/pg-target.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let db: ScratchDatabase;
let pool: pg.Pool;

/** A plan table for `name(id, a, b, c)` that asks for nothing beyond the deferred indexes. */
function planTable(name: string): ResolvedTable {
  return {
    source: name,
    origin: 'plan',
    rowCount: 0,
    rowidName: 'id',
    keyColumns: ['id'],
    readColumns: ['id', 'a', 'b', 'c'],
    columns: [],
    extra: null,
    outputColumns: ['id', 'a', 'b', 'c'],
    autoincrementSeq: null,
    target: {
      kind: 'postgres',
      table: name,
      columnTypes: ['integer', 'text', 'text', 'text'],
      primaryKey: ['id'],
      uniqueKeys: [],
      foreignKeys: [],
      indexes: [],
      dedupe: 'none',
      onConflict: 'error',
      create: false,
      addColumns: [],
    },
  };
}

/** A table with rows and three secondary indexes saved as deferred (not built). */
async function deferredTable(jobId: string, name: string, definitions: string[]): Promise<void> {
  await pool.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, a text, b text, c text)`);
  await pool.query(
    `INSERT INTO ${name} SELECT g, 'a' || g, 'b' || (g % 97), 'c' || (g % 13) FROM generate_series(1, 20000) g`,
  );
  for (const [i, definition] of definitions.entries())
    await pool.query(
      'INSERT INTO nova_migration_deferred_indexes (job_id, target_table, index_name, definition) VALUES ($1, $2, $3, $4)',
      [jobId, name, `${name}_ix${i}`, definition],
    );
}

async function indexNames(table: string): Promise<string[]> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT indexname AS n FROM pg_indexes WHERE tablename = $1 ORDER BY 1',
    [table],
  );
  return rows.map((r) => r.n);
}

async function pendingNames(jobId: string): Promise<string[]> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT index_name AS n FROM nova_migration_deferred_indexes WHERE job_id = $1 ORDER BY 1',
    [jobId],
  );
  return rows.map((r) => r.n);
}

beforeAll(async () => {
  db = await createScratchDatabase('nova_mig_defidx');
  pool = new pg.Pool({ connectionString: db.url, max: 5 });
  await ensureJobTables(pool);
  for (const id of ['job-parallel', 'job-failing'])
    await insertJob(pool, { id, sourceFile: 'x', jobDir: 'x', planName: 'x', planHash: 'x' });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('finishTable: deferred indexes', () => {
  it('builds them on parallel sessions, each committed with its saved definition deleted', async () => {
    await deferredTable('job-parallel', 'par', [
      'CREATE INDEX par_ix0 ON public.par USING btree (a)',
      'CREATE INDEX par_ix1 ON public.par USING btree (b)',
      'CREATE INDEX par_ix2 ON public.par USING btree (c, a)',
    ]);
    let inside = 0;
    let most = 0;
    let release!: () => void;
    const all3 = new Promise<void>((r) => (release = r));
    const client = await pool.connect();
    try {
      await finishTable(client, 'job-parallel', planTable('par'), {
        warnings: [],
        connect: () => pool.connect(),
        // Every build waits here, inside its transaction, until all three are inside at once
        // (or 5 s pass, when they are not built in parallel).
        beforeIndexCommit: async () => {
          most = Math.max(most, ++inside);
          if (inside === 3) release();
          await Promise.race([all3, new Promise((r) => setTimeout(r, 5000))]);
          inside--;
        },
      });
    } finally {
      client.release();
    }
    expect(most).toBe(3);
    expect(await indexNames('par')).toEqual(['par_ix0', 'par_ix1', 'par_ix2', 'par_pkey']);
    expect(await pendingNames('job-parallel')).toEqual([]);
    expect(pool.totalCount).toBe(pool.idleCount); // every session released
  }, 20_000);

  it('a failing build: its definition stays saved, no session is left in a transaction, a rerun builds the rest', async () => {
    await deferredTable('job-failing', 'bad', [
      'CREATE INDEX bad_ix0 ON public.bad USING btree (a)',
      'CREATE INDEX bad_ix1 ON public.bad USING btree (no_such_column)',
      'CREATE INDEX bad_ix2 ON public.bad USING btree (b)',
    ]);
    const client = await pool.connect();
    try {
      await expect(
        finishTable(client, 'job-failing', planTable('bad'), {
          warnings: [],
          connect: () => pool.connect(),
        }),
      ).rejects.toThrow(/no_such_column/);
      const { rows } = await client.query<{ s: string }>(
        'SELECT txid_current_if_assigned()::text AS s',
      );
      expect(rows[0]!.s).toBeNull(); // not inside an aborted or open transaction
    } finally {
      client.release();
    }
    // Each index is either built with its definition gone, or not built with it still saved.
    const built = (await indexNames('bad')).filter((n) => n !== 'bad_pkey');
    const pending = await pendingNames('job-failing');
    expect([...built, ...pending].sort()).toEqual(['bad_ix0', 'bad_ix1', 'bad_ix2']);
    expect(pending).toContain('bad_ix1');
    const busy = await pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    expect(busy.rows[0]!.n).toBe('0');

    // Without the broken definition, a second run (a resume) builds what is left.
    await pool.query("DELETE FROM nova_migration_deferred_indexes WHERE index_name = 'bad_ix1'");
    const again = await pool.connect();
    try {
      await finishTable(again, 'job-failing', planTable('bad'), {
        warnings: [],
        connect: () => pool.connect(),
      });
    } finally {
      again.release();
    }
    expect(await indexNames('bad')).toEqual(['bad_ix0', 'bad_ix2', 'bad_pkey']);
    expect(await pendingNames('job-failing')).toEqual([]);
  }, 20_000);
});
