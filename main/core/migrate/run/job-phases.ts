/**
 * The phases of a migration job that move data (migration-job.ts): load
 * every table in plan order from where it stopped, then keys, indexes,
 * foreign keys and sequences, and verification. Each skips what a previous
 * run already finished.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { isNovaError, NovaError } from '../../errors.js';
import type { TaskContext } from '../../tasks/task.js';
import { loadDependencies, type CatalogForeignKey } from '../load-order.js';
import type { ResolvedTable } from '../resolved-plan.js';
import { verifyMongoTable, verifyPgTable, type TableVerification } from '../verify.js';
import { isPgServerError, pgQuery } from './pg-query.js';
import type { SourcePlan } from './job-setup.js';
import type { TableProgress } from './job-types.js';
import type { LocalJobRecord, LocalJobState } from './local-job-state.js';
import { loadMongoTable } from './mongo-table-loader.js';
import type { MongoMigrationTarget } from './mongo-target.js';
import type { PauseHook } from './pause-hook.js';
import { loadProgress, setPhase, startTable } from './pg-job-state.js';
import type { MigrationPg } from './pg-session.js';
import { loadPgTable } from './pg-table-loader.js';
import { finishTable, preexistingKeys, prepareTable } from './pg-target.js';

export interface LoadInput {
  sp: SourcePlan;
  job: LocalJobRecord;
  pg: MigrationPg | null;
  mongo: MongoMigrationTarget | null;
  local: LocalJobState;
  source: Database.Database;
  pause: PauseHook;
  batchSize: number;
  /** Called when a table's load is complete (also for tables a previous run loaded). */
  onLoaded?: (table: ResolvedTable, progress: TableProgress) => void;
}

/**
 * Tables loaded at the same time, each on its own connection. The engine is
 * busy converting the largest table while the server has a core to spare;
 * a second lane spends it on the small tables' share of server work
 * (foreign-key checks, unique indexes kept during their load).
 */
const LOAD_LANES = 2;

/**
 * Loads every table from where it stopped; returns each table's progress.
 * Tables start in plan order as soon as a lane is free and what they depend
 * on is loaded (load-order.ts loadDependencies: foreign keys of the plan and
 * of the target schema, the explicit order, a shared target), so a child's
 * orphan check always sees its parents complete.
 */
export async function loadAll(
  ctx: TaskContext,
  input: LoadInput,
): Promise<Map<string, TableProgress>> {
  const { sp, job, pg, local } = input;
  const pgProgress = pg
    ? await pgQuery(pg, (c) => loadProgress(c, job.id))
    : new Map<string, TableProgress>();
  const all = new Map<string, TableProgress>([...local.allProgress(), ...pgProgress]);
  const preexisting = pg
    ? await pgQuery(pg, (c) => checkPreexisting(c, sp.resolved.tables, all))
    : new Map<ResolvedTable, string[]>();
  /** Target tables whose load is complete (prepareTable: foreign keys may point at them). */
  const loaded = new Set<string>();
  const catalog = pg ? await pgQuery(pg, catalogForeignKeys) : [];
  const parents = loadDependencies(sp.resolved.tables, sp.plan.order, catalog);
  const finished = new Set<ResolvedTable>();
  const queue = [...sp.resolved.tables];
  let running = 0;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const stopIfFailed = (): void => {
    ctx.throwIfCancelled();
    if (failure) throw new Error('stopped: the other load lane failed');
  };
  const changed = (): void => {
    wake?.();
    wake = null;
  };

  /** The next table a lane may start: the first whose parents are loaded (plan order breaks a cycle). */
  const next = (): ResolvedTable | null | 'wait' => {
    if (queue.length === 0) return null;
    let i = queue.findIndex((t) => [...parents.get(t)!].every((p) => finished.has(p)));
    if (i === -1) {
      if (running > 0) return 'wait';
      i = 0; // a foreign-key cycle (orderTables reported it): plan order
    }
    return queue.splice(i, 1)[0]!;
  };

  const lane = async (): Promise<void> => {
    let client: pg.PoolClient | null = null;
    try {
      if (pg) client = await pg.connect();
      for (;;) {
        if (failure) return;
        ctx.throwIfCancelled();
        const table = next();
        if (table === null) return;
        if (table === 'wait') {
          await new Promise<void>((resolve) => {
            const previous = wake;
            wake = () => {
              previous?.();
              resolve();
            };
          });
          continue;
        }
        running++;
        try {
          await loadTable(ctx, input, { table, client, all, loaded, preexisting, stopIfFailed });
        } finally {
          running--;
        }
        finished.add(table);
        if (table.target.kind === 'postgres') loaded.add(table.target.table);
        changed();
      }
    } catch (error) {
      failure ??= { error };
      changed();
    } finally {
      client?.release();
    }
  };

  await Promise.all(Array.from({ length: Math.min(LOAD_LANES, queue.length) }, lane));
  if (failure) {
    const { error } = failure;
    throw pg && isPgServerError(error) ? pg.mapError(error) : error;
  }
  return all;
}

/** Loads one table (or reports it, when a previous run finished it). */
async function loadTable(
  ctx: TaskContext,
  input: LoadInput,
  lane: {
    table: ResolvedTable;
    client: pg.PoolClient | null;
    all: Map<string, TableProgress>;
    loaded: ReadonlySet<string>;
    preexisting: ReadonlyMap<ResolvedTable, string[]>;
    /** Throws once the other lane failed: its error ends the job, this lane stops at its next batch. */
    stopIfFailed: () => void;
  },
): Promise<void> {
  const { sp, job, mongo, local, source, pause, batchSize } = input;
  const { table, client, all, loaded } = lane;
  const known = all.get(table.source);
  const report = (p: TableProgress): void =>
    ctx.progress({
      phase: 'load',
      item: table.source,
      done: p.migrated + p.duplicates + p.rejected,
      total: table.rowCount,
    });
  if (known && known.phase !== 'pending' && known.phase !== 'loading') {
    report(known); // loaded by an earlier run: shown as done
    input.onLoaded?.(table, known);
    return;
  }
  report(known ?? ({ migrated: 0, duplicates: 0, rejected: 0 } as TableProgress));
  const info = sp.inspect.tables.find((t) => t.name === table.source);
  let p: TableProgress;
  if (table.target.kind === 'postgres') {
    const fresh = known === undefined;
    const pre = fresh ? (lane.preexisting.get(table) ?? []) : known.preexisting;
    const start = fresh ? await startTable(client!, job.id, table.source, pre) : known;
    const prep = await prepareTable(client!, table, loaded, job.id, fresh);
    p = await loadPgTable(
      {
        client: client!,
        source,
        jobId: job.id,
        batchSize,
        hash: job.hash,
        info,
        pause,
        throwIfCancelled: lane.stopIfFailed,
        onBatch: report,
        planTables: sp.resolved.tables,
      },
      prep,
      start,
    );
  } else {
    const resumed = known !== undefined;
    if (!resumed && (await mongo!.count(table.target.collection)) > 0)
      throw collectionNotEmpty(table, await mongo!.count(table.target.collection));
    const start = local.startTable(table.source);
    p = await loadMongoTable(
      {
        target: mongo!,
        state: local,
        source,
        batchSize,
        hash: job.hash,
        info,
        pause,
        throwIfCancelled: lane.stopIfFailed,
        onBatch: report,
      },
      table,
      start,
      resumed,
    );
  }
  all.set(table.source, p);
  input.onLoaded?.(table, p);
  await pause.at(`after-table:${table.source}`);
}

/** The foreign keys of the target schema, by table name (load-order.ts loadDependencies). */
async function catalogForeignKeys(
  client: Pick<pg.ClientBase, 'query'>,
): Promise<CatalogForeignKey[]> {
  const { rows } = await client.query<CatalogForeignKey>(
    `SELECT ch.relname::text AS child, pa.relname::text AS parent
       FROM pg_constraint c
       JOIN pg_class ch ON ch.oid = c.conrelid
       JOIN pg_class pa ON pa.oid = c.confrelid
      WHERE c.contype = 'f' AND pg_table_is_visible(c.conrelid) AND pg_table_is_visible(c.confrelid)`,
  );
  return rows;
}

/**
 * The rows each PostgreSQL table holds before this job first touches it
 * (pg-target.ts preexistingKeys), for every table not started yet — all
 * checked before the first row is written, so a target that is not fresh is
 * refused with every offending table named, not after part of the load.
 */
async function checkPreexisting(
  client: Pick<pg.ClientBase, 'query'>,
  tables: readonly ResolvedTable[],
  started: ReadonlyMap<string, TableProgress>,
): Promise<Map<ResolvedTable, string[]>> {
  const out = new Map<ResolvedTable, string[]>();
  const refusals: NovaError[] = [];
  for (const table of tables) {
    if (table.target.kind !== 'postgres' || started.has(table.source)) continue;
    try {
      out.set(table, await preexistingKeys(client, table));
    } catch (err) {
      if (!isNovaError(err, 'MIGRATION_FAILED')) throw err;
      refusals.push(err);
    }
  }
  if (refusals.length === 1) throw refusals[0]!;
  if (refusals.length > 1)
    throw new NovaError(
      'MIGRATION_FAILED',
      `The target is not empty where the plan loads:\n${refusals.map((r) => `  - ${r.message}${r.fix ? ` (${r.fix})` : ''}`).join('\n')}`,
      { fix: 'Migrate into a fresh database, or deal with each table as listed.' },
    );
  return out;
}

function collectionNotEmpty(table: ResolvedTable, n: number): NovaError {
  const name = table.target.kind === 'mongo' ? table.target.collection : '';
  return new NovaError(
    'MIGRATION_FAILED',
    `The MongoDB collection "${name}" already holds ${n} document(s); the plan loads ${JSON.stringify(table.source)} into it.`,
    {
      fix: 'Migrate into a fresh MongoDB database (or drop that collection), then run the migration again.',
    },
  );
}

export interface PostLoadDeps {
  job: LocalJobRecord;
  pg: MigrationPg | null;
  mongo: MongoMigrationTarget | null;
  local: LocalJobState;
  pause: PauseHook;
  warnings: string[];
  /** A connection of its own: the loader's may be in the middle of reading a table. */
  source: Database.Database;
}

/**
 * Keys, indexes, foreign keys and sequences (finishTable), and verification,
 * for each table as soon as its load is complete — while the loader goes on
 * with the next tables. Two queues, one connection each, tables in order:
 * the server builds the indexes and computes the checksum of the big table
 * while the engine is busy converting the small ones.
 */
export class PostLoad {
  readonly verification = new Map<string, TableVerification>();
  private queues: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  private failure: { error: unknown } | null = null;
  private scheduled = 0;
  private completed = 0;
  private onStep: (() => void) | null = null;

  constructor(
    private readonly ctx: TaskContext,
    private readonly deps: PostLoadDeps,
  ) {}

  schedule(table: ResolvedTable, progress: TableProgress): void {
    this.scheduled += 2;
    this.queues = [
      this.queues[0].then(() => this.step(() => this.finish(table, progress))),
      this.queues[1].then(() => this.step(() => this.verify(table, progress))),
    ];
  }

  /** Waits for every scheduled step (reporting them as the 'indexes' phase); throws the first failure. */
  async settle(): Promise<Map<string, TableVerification>> {
    const report = (): void =>
      this.ctx.progress({ phase: 'indexes', done: this.completed, total: this.scheduled });
    this.onStep = report;
    report();
    await this.drain();
    if (this.failure) throw this.failure.error;
    return this.verification;
  }

  /** Lets running steps end (before connections close on a failed load). */
  async drain(): Promise<void> {
    await Promise.all(this.queues);
  }

  private async step(work: () => Promise<void>): Promise<void> {
    if (this.failure) return;
    try {
      this.ctx.throwIfCancelled();
      await work();
      this.completed++;
      this.onStep?.();
    } catch (error) {
      this.failure ??= { error };
    }
  }

  private async finish(table: ResolvedTable, p: TableProgress): Promise<void> {
    if (p.phase !== 'loaded') return;
    const { job, pg, local, pause, warnings } = this.deps;
    if (table.target.kind === 'postgres') {
      const targetName = table.target.table;
      await pgQuery(pg!, async (c) => {
        await finishTable(c, job.id, table, {
          warnings,
          beforeIndexCommit: () => pause.at(`index:${targetName}`),
          connect: () => pg!.connect(),
        });
        await setPhase(c, job.id, table.source, 'indexed');
      });
    } else {
      local.setPhase(table.source, 'indexed');
    }
  }

  private async verify(table: ResolvedTable, p: TableProgress): Promise<void> {
    const { job, pg, mongo, source } = this.deps;
    const v =
      table.target.kind === 'postgres'
        ? await pgQuery(pg!, (c) => verifyPgTable(c, source, table, p, job.hash))
        : await verifyMongoTable(mongo!, source, table, p, job.hash);
    this.verification.set(table.source, v);
  }
}

/** Verifies every table (after re-applied rejects; a run verifies through PostLoad). */
export async function verifyAll(
  ctx: TaskContext,
  input: {
    sp: SourcePlan;
    pg: MigrationPg | null;
    mongo: MongoMigrationTarget | null;
    source: Database.Database;
    progress: Map<string, TableProgress>;
    job: LocalJobRecord;
  },
): Promise<Map<string, TableVerification>> {
  const { sp, pg, mongo, source, progress } = input;
  const hash = input.job.hash;
  const out = new Map<string, TableVerification>();
  for (const [i, table] of sp.resolved.tables.entries()) {
    ctx.throwIfCancelled();
    ctx.progress({
      phase: 'verify',
      item: table.source,
      done: i,
      total: sp.resolved.tables.length,
    });
    const p = progress.get(table.source)!;
    const v =
      table.target.kind === 'postgres'
        ? await pgQuery(pg!, (c) => verifyPgTable(c, source, table, p, hash))
        : await verifyMongoTable(mongo!, source, table, p, hash);
    out.set(table.source, v);
  }
  return out;
}
