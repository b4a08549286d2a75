/**
 * The embedded profile: SQLite's quick_check, file and WAL sizes through the
 * factory's live store, and what health says once the data layer is closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../main/core/config/schema.js';
import { HealthMonitor } from '../../../main/core/health/monitor.js';
import {
  checkersForFactory,
  standardCheckers,
} from '../../../main/core/health/standard-checkers.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';

let dir: string;
let factory: DatabaseFactory;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-health-sqlite-'));
  factory = new DatabaseFactory(configSchema.parse({ NOVA_DATA_DIR: dir }), {
    maintenanceIntervalMs: 0,
  });
  await factory.initialize();
  await factory.query(
    'CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, body TEXT)',
  );
  for (let i = 0; i < 50; i += 1)
    await factory.query('INSERT INTO health_probe (body) VALUES ($1)', ['x'.repeat(2000)]);
});

afterAll(async () => {
  await factory?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('health of the embedded profile', () => {
  it('checks SQLite (quick_check, file and WAL size), its documents, the cache and the disk', async () => {
    const monitor = new HealthMonitor(checkersForFactory(factory, { dataDir: dir }));
    const agg = await monitor.runNow();
    expect(agg.status).toBe('ok');
    expect(agg.checks.map((c) => [c.id, c.label, c.backend])).toEqual([
      ['sqlite', 'SQLite', 'sqlite'],
      ['documents', 'Documents (SQLite)', 'sqlite-json'],
      ['cache', 'Cache (in-process)', 'memory'],
      ['disk', 'Free disk', undefined],
    ]);
    const sqlite = agg.checks[0]!;
    expect(sqlite.detail).toContain(join(dir, 'nova.sqlite'));
    expect(sqlite.detail).toContain('quick_check ok');
    expect(sqlite.metrics!.file_size_bytes).toBeGreaterThan(0);
    // 50 rows of 2 kB were just written through the WAL.
    expect(sqlite.metrics!.wal_size_bytes).toBeGreaterThan(50_000);
  });

  it('is degraded with a fix when the WAL outgrows its limit', async () => {
    const checkers = checkersForFactory(factory, {
      dataDir: dir,
      sqlite: { walDegradedBytes: 1024 },
    });
    const agg = await new HealthMonitor(checkers).runNow();
    expect(agg.status).toBe('degraded');
    expect(agg.reasons[0]).toMatchObject({
      check: 'sqlite',
      status: 'degraded',
      effect: 'degraded',
    });
    expect(agg.reasons[0]!.message).toContain('checkpoints are not keeping up');
    expect(agg.reasons[0]!.fix).toContain('wal_checkpoint');
  });

  it('refuses to build checks before the data layer is open', () => {
    const closed = new DatabaseFactory(configSchema.parse({ NOVA_DATA_DIR: dir }));
    expect(() => checkersForFactory(closed, { dataDir: dir })).toThrow(
      expect.objectContaining({
        code: 'NOT_INITIALIZED',
        message: expect.stringContaining('before the data layer is open'),
      }),
    );
    expect(() => standardCheckers(() => undefined, { dataDir: dir })).toThrow(
      /before the data layer is open/,
    );
  });

  it('is down, saying the data layer is closed, once the factory closes', async () => {
    const other = mkdtempSync(join(tmpdir(), 'nova-health-sqlite-closed-'));
    try {
      const f = new DatabaseFactory(configSchema.parse({ NOVA_DATA_DIR: other }), {
        maintenanceIntervalMs: 0,
      });
      await f.initialize();
      const monitor = new HealthMonitor(checkersForFactory(f, { dataDir: other }));
      expect((await monitor.runNow()).status).toBe('ok');
      await f.close();
      const agg = await monitor.runNow();
      expect(agg.status).toBe('down');
      expect(agg.reasons[0]).toMatchObject({ check: 'sqlite', effect: 'down' });
      expect(agg.reasons[0]!.message).toContain('the data layer is closed');
      expect(agg.reasons[0]!.fix).toMatch(/Initialise the data layer again/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
