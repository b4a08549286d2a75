/**
 * Fault behaviour of the data layer on real servers (issue: server backends):
 * PostgreSQL restarted under a running pool, Redis stopped, MongoDB down
 * while audit entries are written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type NovaConfigInput } from '../../../main/core/config/schema.js';
import { isNovaError } from '../../../main/core/errors.js';
import { osFreePort } from '../../../main/core/services/ports.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { startPrivateCluster, type PrivateCluster } from '../../support/postgres.js';
import { startRedis, type RedisTestServer } from '../../support/redis-server.js';

describe('data layer under server faults', () => {
  let dir: string;
  let pg: PrivateCluster;
  let mongo: MongoTestServer;
  let mongoPort: number;
  let redis: RedisTestServer;
  let db: DatabaseFactory;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nova-faults-'));
    [pg, mongo, redis] = await Promise.all([startPrivateCluster(), startMongo(), startRedis()]);
    mongoPort = Number(new URL(mongo.url).port);
    const input: NovaConfigInput = {
      NOVA_DATA_DIR: dir,
      NOVA_PROFILE: 'external',
      POSTGRES_URL: pg.url,
      MONGODB_URL: mongo.url,
      MONGODB_CONNECT_TIMEOUT_MS: 1_000,
      REDIS_URL: redis.url,
      REDIS_CONNECT_TIMEOUT_MS: 1_000,
    };
    db = new DatabaseFactory(configSchema.parse(input), { maintenanceIntervalMs: 0 });
    await db.initialize();
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await Promise.allSettled([pg?.stop(), mongo?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving after PostgreSQL restarts under the pool', async () => {
    await db.query('INSERT INTO config (key, value) VALUES ($1, $2)', ['before', '1']);
    // Hold a few idle pooled connections open so the restart kills them.
    await Promise.all([1, 2, 3].map(() => db.query('SELECT pg_sleep(0.05)')));
    await pg.restart();
    // The killed idle connections leave the pool through its error listener, so
    // the very next query gets a fresh connection; the process does not crash.
    const { rows } = await db.query<{ value: string }>('SELECT value FROM config WHERE key = $1', [
      'before',
    ]);
    expect(rows).toEqual([{ value: '1' }]);
    const again = await db.query<{ n: number }>('SELECT 1 AS n');
    expect(again.rows[0]!.n).toBe(1);
    expect((await db.healthCheck()).services[0]!.status).toBe('ok');
  });

  it('serves reads from the database while Redis is down, and says so', async () => {
    await db.cache.set('k', 'v', 60);
    await redis.kill();
    const health = await db.healthCheck();
    expect(health.status).toBe('degraded');
    const cacheHealth = health.services.find((s) => s.service === 'cache')!;
    expect(cacheHealth.status).toBe('down');
    expect(cacheHealth.detail).toMatch(/ECONNREFUSED|refused|down/i);
    // Read-through still answers from the loader (the database).
    const value = await db.cache.wrap('config:site', 30, async () => {
      const { rows } = await db.query<{ value: string }>(
        'SELECT value FROM config WHERE key = $1',
        ['before'],
      );
      return rows[0]!.value;
    });
    expect(value).toBe('1');
    expect(await db.cache.get('k')).toBeUndefined();
  });

  it('delivers an audit entry written while MongoDB is down, exactly once, after it returns', async () => {
    await mongo.stop();
    const { id } = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO config (key, value) VALUES ($1, $2)', ['during-outage', 'x']);
      return db.createAuditLog('CONFIG_CHANGED', 1, { key: 'during-outage' });
    });
    expect((await db.healthCheck()).auditOutboxPending).toBe(1);
    expect((await db.healthCheck()).status).toBe('degraded');

    mongo = await startMongo({ port: mongoPort });
    // The emulator keeps nothing across restarts; collections come back on demand.
    let result = await db.deliverAudit();
    for (let attempt = 0; attempt < 10 && result.pending > 0; attempt++) {
      await new Promise((r) => setTimeout(r, 300));
      result = await db.deliverAudit();
    }
    expect(result.pending).toBe(0);
    // A second drain must not deliver it again.
    await db.deliverAudit();
    const docs = await db.findDocuments('audit_logs', { action: 'CONFIG_CHANGED' });
    expect(docs.map((d) => d._id)).toEqual([id]);
  });
});

describe('data layer started while MongoDB is down', () => {
  it('serves SQL, keeps audit entries in the outbox, then creates the collections and delivers once MongoDB is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-faults-'));
    const pg = await startPrivateCluster();
    const port = await osFreePort();
    const config = configSchema.parse({
      NOVA_DATA_DIR: dir,
      NOVA_PROFILE: 'external',
      NOVA_REDIS_PROFILE: 'embedded',
      POSTGRES_URL: pg.url,
      MONGODB_URL: `mongodb://127.0.0.1:${port}`,
      MONGODB_CONNECT_TIMEOUT_MS: 500,
    });
    const db = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
    let mongo: MongoTestServer | undefined;
    try {
      await db.initialize();
      await db.query('INSERT INTO config (key, value) VALUES ($1, $2)', ['offline', 'yes']);
      const { id } = await db.createAuditLog('STARTED_OFFLINE', 7, {});
      const down = await db.healthCheck();
      expect(down.status).toBe('degraded');
      expect(down.services.find((s) => s.service === 'documents')!.status).toBe('down');
      expect(down.auditOutboxPending).toBe(1);

      mongo = await startMongo({ port });
      // The store reopens its connection by itself; maintenance (every 30 s in
      // production) then creates the collections and delivers the outbox.
      let pending: number | null = 1;
      for (let attempt = 0; attempt < 40 && pending !== 0; attempt++) {
        await db.runMaintenance();
        pending = (await db.healthCheck()).auditOutboxPending;
        if (pending !== 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect(pending).toBe(0);
      expect((await db.findDocuments('audit_logs', {})).map((d) => d._id)).toEqual([id]);
      // user_preferences has its unique index now: the collections were created late.
      await db.storeDocument('user_preferences', { user_id: 1, theme: 'dark' });
      const dup = await db
        .storeDocument('user_preferences', { user_id: 1, theme: 'light' })
        .catch((e: unknown) => e);
      expect(isNovaError(dup, 'CONSTRAINT_VIOLATION')).toBe(true);
    } finally {
      await db.close();
      await mongo?.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
