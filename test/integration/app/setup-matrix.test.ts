/**
 * Every choice Setup offers works end to end (issue 14, item 1): for each
 * combination of profiles Setup can save on this machine, through the
 * contract as the UI calls it, the product starts on real servers,
 * migrates a legacy file (or, on embedded SQLite, refuses with a pointer to
 * Setup), backs up, verifies with a trial restore, and restores — a
 * document written after the backup is gone afterwards and one written
 * before it is back, which proves documents travel in the backup also when
 * they live in PostgreSQL JSONB. Only a backup of the setup in use counts
 * as the last good one.
 *
 * Servers: a private native PostgreSQL and Redis started by the product
 * itself; scratch databases on the machine's PostgreSQL for "external";
 * a private Redis; the MongoDB emulator (or mongod) for external MongoDB.
 * Docker is not offered here (no engine), which the test checks too.
 * One runtime and data directory for all combinations.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { dispatch, type Handlers } from '../../../main/core/app/dispatch.js';
import { createHandlers } from '../../../main/core/app/handlers/index.js';
import { createLogger } from '../../../main/core/logger.js';
import type {
  CallResult,
  InspectSummaryDto,
  ProfileDto,
  TaskSnapshotDto,
} from '../../../shared-contract/index.js';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { startRedis, type RedisTestServer } from '../../support/redis-server.js';

type Profiles = { postgres: ProfileDto; mongo: ProfileDto; redis: ProfileDto };

/** postgres × mongo in full (they decide where data lives); Redis takes each profile three times. */
const MATRIX: Profiles[] = [
  { postgres: 'embedded', mongo: 'embedded', redis: 'embedded' },
  { postgres: 'embedded', mongo: 'native', redis: 'native' },
  { postgres: 'embedded', mongo: 'external', redis: 'external' },
  { postgres: 'native', mongo: 'embedded', redis: 'external' },
  { postgres: 'native', mongo: 'native', redis: 'embedded' },
  { postgres: 'native', mongo: 'external', redis: 'native' },
  { postgres: 'external', mongo: 'embedded', redis: 'native' },
  { postgres: 'external', mongo: 'native', redis: 'external' },
  { postgres: 'external', mongo: 'external', redis: 'embedded' },
];

let root: string;
let dataDir: string;
let runtime: AppRuntime;
let handlers: Handlers;
let legacyFile: string;
let redis: RedisTestServer;
let mongo: MongoTestServer;
const scratch: ScratchDatabase[] = [];

async function call<T>(method: string, input: unknown = {}): Promise<CallResult<T>> {
  return (await dispatch(handlers, method, input, { transport: 'test' })) as CallResult<T>;
}
async function ok<T>(method: string, input: unknown = {}): Promise<T> {
  const r = await call<T>(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message} ${r.error.fix ?? ''}`);
  return r.value;
}
async function finished(taskId: string): Promise<TaskSnapshotDto> {
  for (;;) {
    const t = await ok<TaskSnapshotDto>('tasks.get', { id: taskId });
    if (t.state !== 'running' && t.state !== 'pending') return t;
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function succeeded(taskId: string): Promise<TaskSnapshotDto> {
  const t = await finished(taskId);
  if (t.state !== 'succeeded') throw new Error(`${t.title}: ${t.state} ${t.error?.message ?? ''}`);
  return t;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-setup-matrix-'));
  // Directly under the temp dir: as root, the native PostgreSQL runs as "postgres" and must reach it.
  dataDir = await mkdtemp(path.join(tmpdir(), 'nova-setup-matrix-data-'));
  legacyFile = path.join(root, 'log.sqlite');
  generateLegacyDatabase(legacyFile, { users: 12, logs: 120, seed: 14 });
  [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  runtime = await AppRuntime.start({
    mode: 'headless',
    logger: createLogger({ level: 'error', write: () => undefined }),
    configOptions: {
      dataDir,
      // Backups and trial restores run when the test says so, not on a schedule.
      env: { NOVA_BACKUP_INTERVAL_HOURS: '0', NOVA_RESTORE_TEST_INTERVAL_HOURS: '0' },
      cwd: root,
    },
    health: { intervalMs: 60_000 },
  });
  handlers = createHandlers(runtime);
}, 120_000);

afterAll(async () => {
  await runtime?.shutdown();
  await Promise.all([redis?.stop(), mongo?.stop(), ...scratch.map((s) => s.drop())]);
  await rm(root, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}, 120_000);

describe('every profile combination Setup can save', () => {
  it('does not offer Docker on a machine without a Docker engine', async () => {
    const d = await ok<{ docker: { engine: string } }>('setup.detect');
    // The renderer disables the Docker option with the reason whenever the engine is not running.
    expect(d.docker.engine).not.toBe('running');
  });

  it.each(MATRIX.map((p, i) => [`${p.postgres}/${p.mongo}/${p.redis}`, p, i] as const))(
    '%s: starts, migrates, backs up, verifies and restores',
    async (_name, profiles, index) => {
      // Backups made before this combination (the migration's own backup is one of this one's).
      const earlier = new Set(
        (await ok<{ backups: { id: string }[] }>('backups.list')).backups.map((b) => b.id),
      );
      // 1. Setup saves it and the product starts on it.
      const urls: Record<string, string> = {};
      let db: ScratchDatabase | undefined;
      if (profiles.postgres === 'external') {
        db = await createScratchDatabase('nova_matrix');
        scratch.push(db);
        urls.postgres = db.url;
      }
      if (profiles.mongo === 'external') urls.mongo = mongo.url;
      if (profiles.redis === 'external') urls.redis = redis.url;
      // Each combination gets its own MongoDB database, so no run sees another's documents.
      await ok('settings.update', {
        values: { MONGODB_DB: `nova_matrix_${process.pid}_${index}` },
      });
      const applied = await ok<{
        failed: unknown[];
        services: { service: string; state: string }[];
      }>('setup.apply', { profiles, urls });
      expect(applied.failed).toEqual([]);
      expect(applied.services.every((s) => s.state === 'healthy')).toBe(true);
      const factory = runtime.requireFactory();
      expect(factory.dialect).toBe(profiles.postgres === 'embedded' ? 'sqlite' : 'postgres');
      const inRelational = profiles.mongo !== 'external';
      expect(runtime.layer.coverage.documentsInRelational).toBe(inRelational);

      // 2. Migration of a legacy file (its own copy: a job directory per source file).
      const source = path.join(root, `log-${index}.sqlite`);
      await copyFile(legacyFile, source);
      const session = await ok<InspectSummaryDto>('migration.inspect', { file: source });
      await ok('migration.planPreview', { sessionId: session.sessionId });
      const started = await call<{ taskId: string }>('migration.start', {
        sessionId: session.sessionId,
      });
      if (profiles.postgres === 'embedded') {
        // Nothing to migrate into: refused up front, pointing at Setup.
        expect(started.ok).toBe(false);
        if (!started.ok) expect(started.error.fix).toMatch(/Setup/);
      } else {
        if (!started.ok) throw new Error(`migration.start: ${started.error.message}`);
        const run = await succeeded(started.value.taskId);
        expect(run.result).toMatchObject({ ok: true });
        const users = await factory.query<{ n: string | number }>(
          'SELECT count(*) AS n FROM users',
        );
        expect(Number(users.rows[0]!.n)).toBeGreaterThanOrEqual(12);
      }

      // 3. A backup of this setup: only it counts as the last good backup.
      await factory.storeDocument('notifications_queue', {
        status: `before-backup-${index}`,
        created_at: new Date(),
      });
      const backup = await succeeded((await ok<{ taskId: string }>('backups.run', {})).taskId);
      const name = (backup.result as { name: string; verified: boolean }).name;
      expect((backup.result as { verified: boolean }).verified).toBe(true);
      const list = await ok<{
        backups: { id: string; parts: string[]; covers: boolean }[];
        coverage: { service: string; backedUp: boolean; text: string }[];
      }>('backups.list');
      const mine = list.backups.find((b) => b.id === name)!;
      expect(mine.covers).toBe(true);
      expect(mine.parts.sort()).toEqual(
        [
          profiles.postgres === 'embedded' ? 'sqlite' : 'postgres',
          ...(inRelational ? [] : ['mongo']),
        ].sort(),
      );
      expect(list.coverage.find((c) => c.service === 'redis')).toMatchObject({ backedUp: false });
      // An earlier backup counts only when it holds the same stores of the same databases:
      // each combination has its own MongoDB database and external scratch database, while the
      // embedded file and the native cluster's database stay the same.
      for (const b of list.backups) {
        const sameStores = [...b.parts].sort().join() === [...mine.parts].sort().join();
        const sameDatabases =
          !earlier.has(b.id) || (!b.parts.includes('mongo') && profiles.postgres !== 'external');
        expect(b.covers, `${b.id} (${b.parts.join()})`).toBe(sameStores && sameDatabases);
      }
      const health = await runtime.layer.monitor.runNow();
      const check = health.checks.find((c) => c.id === 'backup')!;
      expect(check.detail).toMatch(/^Last verified backup/);
      expect(check.detail).toContain('not backed up by design');

      // 4. Verify: checksums and a trial restore into scratch databases.
      const verify = await succeeded(
        (await ok<{ taskId: string }>('backups.verify', { id: name })).taskId,
      );
      expect(verify.result).toMatchObject({ trialRestored: true });

      // 5. Restore: what was written after the backup is gone, what was before is back.
      await factory.storeDocument('notifications_queue', {
        status: `after-backup-${index}`,
        created_at: new Date(),
      });
      await succeeded(
        (await ok<{ taskId: string }>('backups.restore', { id: name, confirm: name })).taskId,
      );
      const restored = runtime.requireFactory();
      const docs = (await restored.findDocuments('notifications_queue', {})).map((d) => d.status);
      expect(docs).toContain(`before-backup-${index}`);
      expect(docs).not.toContain(`after-backup-${index}`);

      // Leave the native cluster and the MongoDB database empty for the next combination.
      if (profiles.postgres === 'native') {
        const client = new pg.Client({ connectionString: runtime.layer.endpoints.postgres });
        await client.connect();
        await client.query(
          `DO $$ DECLARE t text; BEGIN FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'nova_schema_migrations' LOOP EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END LOOP; END $$`,
        );
        await client.end();
      }
    },
    120_000,
  );
});
