/**
 * MongoDB as the document store (external profile, SQLite for the rest):
 * ping with its collection count and data size; a stopped server degrades
 * the aggregate (audit entries wait in the outbox) rather than taking it down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import { HealthMonitor } from '../../../../main/core/health/monitor.js';
import { checkersForFactory } from '../../../../main/core/health/standard-checkers.js';
import { DatabaseFactory } from '../../../../main/core/stores/database-factory.js';
import { startMongo, type MongoTestServer } from '../../../support/mongo-server.js';

let mongo: MongoTestServer;
let dir: string;
let factory: DatabaseFactory;

beforeAll(async () => {
  mongo = await startMongo();
  dir = mkdtempSync(join(tmpdir(), 'nova-health-mongo-'));
  factory = new DatabaseFactory(
    configSchema.parse({
      NOVA_DATA_DIR: dir,
      NOVA_MONGO_PROFILE: 'external',
      MONGODB_URL: mongo.url,
      MONGODB_DB: `health_${process.pid}_${Date.now()}`,
      MONGODB_CONNECT_TIMEOUT_MS: 1000,
    }),
    { maintenanceIntervalMs: 0 },
  );
  await factory.initialize();
}, 120_000);

afterAll(async () => {
  await factory?.close();
  await mongo?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('health of a real MongoDB wire server', () => {
  it('pings it and reports its collections', async () => {
    const agg = await new HealthMonitor(checkersForFactory(factory, { dataDir: dir })).runNow();
    expect(agg.status).toBe('ok');
    const check = agg.checks.find((c) => c.id === 'mongodb')!;
    expect(check).toMatchObject({
      label: 'MongoDB',
      service: 'documents',
      backend: 'mongodb',
      status: 'ok',
    });
    expect(check.latencyMs).toBeGreaterThan(0);
    expect(check.detail).toMatch(/MongoDB.* \d+ collections/);
  });

  it('degrades the aggregate when it stops, naming MongoDB', async () => {
    const monitor = new HealthMonitor(checkersForFactory(factory, { dataDir: dir }), {
      timeoutMs: 5000,
    });
    await mongo.stop();
    const agg = await monitor.runNow();
    expect(agg.status).toBe('degraded');
    expect(agg.reasons).toHaveLength(1);
    expect(agg.reasons[0]).toMatchObject({
      check: 'mongodb',
      label: 'MongoDB',
      status: 'down',
      effect: 'degraded',
    });
    expect(agg.reasons[0]!.message).toContain('audit entries wait in the outbox');
  });
});
