/**
 * The databases the corpus runs on: the real node-sqlite3 driver on a
 * generated legacy file (the oracle), and the product's legacy `db` —
 * configured through the package entry point as an application would — on a
 * copy of that file (embedded, opened as it is), on PostgreSQL after a real
 * `nova-db migrate` of it, and on the product's own embedded schema holding
 * the same rows.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sqlite3 from 'sqlite3';
import { runCli } from '../../../../main/cli/run.js';
import { novaLegacyPlan } from '../../../../main/core/migrate/builtin-nova-plan.js';
import { migrateSchema } from '../../../../main/core/schema/migration-runner.js';
import { SqliteRelationalStore } from '../../../../main/core/stores/sqlite/relational-store.js';
import { openLegacyDb } from '../../../../main/legacy.js';
import type { LegacyDatabase } from '../../../../main/core/stores/legacy-db.js';
import { generateLegacyDatabase } from '../../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../support/postgres.js';
import type { DbLike } from './steps.js';

export function makeLegacyFile(dir: string): string {
  const file = join(dir, 'log.sqlite');
  generateLegacyDatabase(file, { users: 12, logs: 60, kiosks: 4, seed: 7 });
  return file;
}

export function copyOf(file: string, dir: string, name: string): string {
  const to = join(dir, name);
  copyFileSync(file, to);
  return to;
}

export function openOracle(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(db)));
  });
}

export function closeOracle(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve) => db.close(() => resolve()));
}

/** The configured entry point, as `import db from 'nova-database-appliance/legacy'` sees it. */
export function openConfigured(dataDir: string, env: Record<string, string>): LegacyDatabase {
  return openLegacyDb({
    env: { NOVA_DATA_DIR: dataDir, NOVA_LOG_LEVEL: 'warn', ...env },
    cwd: dataDir,
  });
}

export function closeLegacy(db: LegacyDatabase): Promise<void> {
  return new Promise((resolve) => db.close(() => resolve()));
}

/**
 * A scratch PostgreSQL database holding the legacy file after `nova-db
 * migrate`, set up as a stock server often is: en-US collation (`alice` sorts
 * before `Bob`) and a time zone that is not UTC.
 */
export async function migratedPostgres(file: string, dir: string): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase('nova_legacy_compat', {
    icuLocale: 'en-US',
    timeZone: 'America/New_York',
  });
  let stderr = '';
  const code = await runCli(
    [
      '--data-dir',
      join(dir, 'migrate-data'),
      'migrate',
      '--source',
      file,
      '--postgres-url',
      scratch.url,
    ],
    {
      stdout: () => undefined,
      stderr: (s) => void (stderr += s),
      env: { NOVA_LOG_LEVEL: 'warn' },
      cwd: dir,
      onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
    },
  );
  if (code !== 0) {
    await scratch.drop();
    throw new Error(`nova-db migrate failed (${code}): ${stderr}`);
  }
  return scratch;
}

/**
 * The product's own embedded schema with the legacy file's rows, copied
 * column by column through the built-in plan's mapping.
 */
export async function productSchemaCopy(legacyFile: string, file: string): Promise<void> {
  const store = SqliteRelationalStore.open(file, { busyTimeoutMs: 5000 });
  await migrateSchema(store);
  await store.close();
  const db = new Database(file);
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(legacyFile);
    db.transaction(() => {
      for (const t of novaLegacyPlan.tables) {
        if (t.target.kind !== 'postgres') continue;
        const present = new Set(
          (db.prepare(`PRAGMA src.table_info("${t.source}")`).all() as { name: string }[]).map(
            (c) => c.name,
          ),
        );
        if (present.size === 0) continue;
        const cols = t.target.columns.filter((c) => present.has(c.source));
        const verb =
          t.target.dedupe === 'exact-duplicates' ? 'INSERT OR IGNORE' : 'INSERT OR REPLACE';
        db.exec(
          `${verb} INTO main."${t.target.table}" (${cols.map((c) => `"${c.target}"`).join(', ')})
           SELECT ${cols.map((c) => `"${c.source}"`).join(', ')} FROM src."${t.source}"`,
        );
      }
      db.exec(`UPDATE main.sqlite_sequence SET seq = coalesce(
        (SELECT s.seq FROM src.sqlite_sequence s WHERE s.name = main.sqlite_sequence.name), seq)`);
    })();
  } finally {
    db.close();
  }
}

export function asDbLike(db: unknown): DbLike {
  return db as DbLike;
}
