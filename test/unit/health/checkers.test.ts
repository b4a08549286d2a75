/**
 * Checkers that need no server: free disk (real statfs on a temp dir), the
 * backup age against its schedule, the orchestration view, and the
 * in-process cache. Server-backed checkers are in test/integration/health.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupChecker,
  type LastBackupSource,
} from '../../../main/core/health/checkers/backup-checker.js';
import { cacheChecker } from '../../../main/core/health/checkers/cache-checker.js';
import { diskChecker } from '../../../main/core/health/checkers/disk-checker.js';
import { servicesChecker } from '../../../main/core/health/checkers/services-checker.js';
import { RingBuffer } from '../../../main/core/health/ring-buffer.js';
import type { ServiceStatus } from '../../../main/core/services/types.js';
import { MemoryCache } from '../../../main/core/stores/memory-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'nova-health-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk checker', () => {
  it('reports the free space of the data dir with its path as a metric label', async () => {
    const c = diskChecker(dir, {
      degradedBelowBytes: 0,
      degradedBelowRatio: 0,
      downBelowBytes: 0,
      downBelowRatio: 0,
    });
    expect(c.metricLabels).toEqual({ path: dir });
    const r = await c.check();
    expect(r.status).toBe('ok');
    expect(r.metrics!.free_bytes).toBeGreaterThan(0);
    expect(r.metrics!.total_bytes).toBeGreaterThanOrEqual(r.metrics!.free_bytes!);
    expect(r.detail).toMatch(/free of .* on the disk of /);
  });

  it('is degraded below the degraded thresholds and down below the down ones', async () => {
    const degraded = await diskChecker(dir, {
      degradedBelowBytes: Number.MAX_SAFE_INTEGER,
    }).check();
    expect(degraded.status).toBe('degraded');
    expect(degraded.fix).toMatch(/Free space soon/);
    const byRatio = await diskChecker(dir, {
      degradedBelowBytes: 0,
      degradedBelowRatio: 1,
    }).check();
    expect(byRatio.status).toBe('degraded');
    const down = await diskChecker(dir, { downBelowRatio: 1 }).check();
    expect(down.status).toBe('down');
    expect(down.detail).toContain('the next writes may fail');
  });

  it('says the data dir is missing when it is', async () => {
    const r = await diskChecker(join(dir, 'gone')).check();
    expect(r.status).toBe('down');
    expect(r.detail).toContain('ENOENT');
    expect(r.fix).toMatch(/data directory is missing/);
  });

  it.each([
    ['', {}, /needs the data directory/],
    [dir, { degradedBelowRatio: 2 }, /degradedBelowRatio must be a share from 0 to 1, got 2/],
    [dir, { downBelowBytes: -1 }, /downBelowBytes must be a number of bytes ≥ 0, got -1/],
    [dir, { downBelowBytes: Number.NaN }, /downBelowBytes must be a number of bytes/],
  ])('refuses bad input (%j, %j)', (path, thresholds, message) => {
    expect(() => diskChecker(path, thresholds)).toThrow(message);
  });
});

describe('backup checker', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  const hours = (h: number) => new Date(now - h * 3_600_000);
  const source = (at: Date | null, intervalHours: number | null): LastBackupSource => ({
    lastGoodBackup: async () => (at ? { at } : null),
    schedule: intervalHours === null ? null : { intervalHours },
  });
  const check = (s: LastBackupSource, factor?: number) =>
    backupChecker(s, { now: () => now, ...(factor ? { overdueFactor: factor } : {}) }).check();

  it('is ok within the schedule and exports the age', async () => {
    const r = await check(source(hours(20), 24));
    expect(r.status).toBe('ok');
    expect(r.metrics).toEqual({ backup_age_seconds: 72_000, backup_interval_seconds: 86_400 });
    expect(r.detail).toContain(
      'Last verified backup 20.0 h ago (2025-05-31T16:00:00.000Z); scheduled every 24 h.',
    );
  });

  it('is degraded once older than 1.5 intervals (or the factor given)', async () => {
    expect((await check(source(hours(35), 24))).status).toBe('ok');
    const overdue = await check(source(hours(37), 24));
    expect(overdue.status).toBe('degraded');
    expect(overdue.detail).toContain('It is overdue.');
    expect(overdue.fix).toMatch(/failed backup in the log/);
    expect((await check(source(hours(30), 24), 1.2)).status).toBe('degraded');
  });

  it('is degraded when a schedule exists but no good backup does', async () => {
    const r = await check(source(null, 24));
    expect(r.status).toBe('degraded');
    expect(r.detail).toMatch(/No verified backup of the current setup exists yet/);
    expect(r.fix).toMatch(/Back up now/);
  });

  it('without a schedule, is never overdue', async () => {
    expect(await check(source(null, null))).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('by hand'),
    });
    expect((await check(source(hours(24 * 400), null))).status).toBe('ok');
  });

  it('treats a backup dated in the future (clock set back) as age 0', async () => {
    expect((await check(source(hours(-5), 24))).metrics!.backup_age_seconds).toBe(0);
  });

  it.each([
    [source(hours(1), 0), /schedule is invalid \(interval 0 hours\)/],
    [source(hours(1), Number.NaN), /schedule is invalid/],
    [
      { lastGoodBackup: async () => ({ at: new Date('nope') }), schedule: null },
      /without a valid date/,
    ],
    [
      { lastGoodBackup: async () => ({ at: '2025-01-01' }), schedule: null },
      /without a valid date/,
    ],
  ])('reports bad input from the backup module as down (%#)', async (s, message) => {
    const r = await check(s as LastBackupSource);
    expect(r.status).toBe('down');
    expect(r.detail).toMatch(message);
    expect(r.fix).toBeTruthy();
  });

  it('refuses an overdue factor below 1', () => {
    expect(() => backupChecker(source(null, 1), { overdueFactor: 0.5 })).toThrow(
      /overdueFactor must be a number ≥ 1/,
    );
  });
});

describe('services checker (orchestration state)', () => {
  const status = (
    service: ServiceStatus['service'],
    state: ServiceStatus['state'],
    extra: Partial<ServiceStatus> = {},
  ): ServiceStatus => ({
    service,
    provider: 'native',
    state,
    since: new Date(0),
    ...extra,
  });

  it('is ok when every orchestrated service is healthy; embedded ones are ignored', async () => {
    const r = await servicesChecker({
      statusAll: async () => [
        status('postgres', 'healthy'),
        status('redis', 'healthy'),
        status('mongo', 'stopped', { provider: 'embedded' }),
      ],
    }).check();
    expect(r).toMatchObject({ status: 'ok', metrics: { postgres_up: 1, redis_up: 1 } });
    expect(r.detail).toBe('PostgreSQL healthy (native); Redis healthy (native)');
  });

  it('takes the worst state and the fix of the failing service', async () => {
    const r = await servicesChecker({
      statusAll: async () => [
        status('postgres', 'failed', { reason: 'port 5432 in use', fix: 'Stop the other server.' }),
        status('redis', 'starting'),
      ],
    }).check();
    expect(r.status).toBe('down');
    expect(r.fix).toBe('Stop the other server.');
    expect(r.detail).toContain('PostgreSQL failed (native): port 5432 in use');
    expect(r.metrics).toEqual({ postgres_up: 0, redis_up: 0 });
    const starting = await servicesChecker({
      statusAll: async () => [status('redis', 'starting')],
    }).check();
    expect(starting.status).toBe('degraded');
  });

  it('says so when nothing is orchestrated', async () => {
    const r = await servicesChecker({ statusAll: async () => [] }).check();
    expect(r).toMatchObject({ status: 'ok', detail: expect.stringContaining('no server process') });
    // An external server is not Nova's process: its store check says whether it answers.
    const external = await servicesChecker({
      statusAll: async () => [
        { service: 'redis', provider: 'external', state: 'healthy', since: new Date() },
      ],
    }).check();
    expect(external.detail).toMatch(/no server process/);
  });
});

describe('cache checker on the in-process cache', () => {
  it('reports hits, misses, keys and the hit ratio', async () => {
    const cache = new MemoryCache({ maxEntries: 10 });
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('b');
    const c = cacheChecker(() => cache, cache.backend);
    expect(c).toMatchObject({ id: 'cache', label: 'Cache (in-process)', service: 'cache' });
    const r = await c.check();
    expect(r.status).toBe('ok');
    expect(r.metrics).toEqual({ hits: 2, misses: 1, keys: 1, hit_ratio: 2 / 3 });
    await cache.close();
    expect((await c.check()).status).toBe('down');
  });

  it('is down with a clear reason when the data layer is gone', async () => {
    await expect(cacheChecker(() => undefined, 'memory').check()).rejects.toMatchObject({
      code: 'NOT_INITIALIZED',
      message: expect.stringContaining('the data layer is closed'),
    });
  });
});

describe('RingBuffer', () => {
  it('keeps the last N items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    for (let i = 1; i <= 7; i += 1) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(7);
  });

  it.each([0, -1, 2.5, Number.NaN])('refuses capacity %s', (n) => {
    expect(() => new RingBuffer(n)).toThrow(/positive whole number of samples/);
  });
});
