/**
 * The health-monitoring acceptance test (docs/ARCHITECTURE.md#health) on a real PostgreSQL: a private cluster
 * behind a DatabaseFactory (external profile), a monitor on a short
 * interval, and the headless endpoints over real HTTP. Stopping the server
 * turns the aggregate down within one interval, naming PostgreSQL; starting
 * it again brings it back to ok.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../main/core/config/schema.js';
import { HealthMonitor } from '../../../main/core/health/monitor.js';
import { checkersForFactory } from '../../../main/core/health/standard-checkers.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import {
  healthFromMonitor,
  healthRoutes,
  type HealthJson,
} from '../../../main/server/health-routes.js';
import { startHttpServer, type RunningHttpServer } from '../../../main/server/http-server.js';
import { startPrivateCluster, type PrivateCluster } from '../../support/postgres.js';
import { parsePrometheusText } from '../../unit/health/prometheus-text-parser.js';
import { nextTransition, quietLogger, untilStatus } from './helpers.js';

const INTERVAL_MS = 400;

let cluster: PrivateCluster;
let dir: string;
let factory: DatabaseFactory;
let monitor: HealthMonitor;
let server: RunningHttpServer;

beforeAll(async () => {
  cluster = await startPrivateCluster();
  dir = mkdtempSync(join(tmpdir(), 'nova-health-pg-'));
  const config = configSchema.parse({
    NOVA_DATA_DIR: dir,
    NOVA_POSTGRES_PROFILE: 'external',
    POSTGRES_URL: cluster.url,
    POSTGRES_CONNECT_TIMEOUT_MS: 2000,
  });
  factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
  await factory.initialize();
  monitor = new HealthMonitor(checkersForFactory(factory, { dataDir: dir }), {
    intervalMs: INTERVAL_MS,
    timeoutMs: 3000,
  });
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    health: healthFromMonitor(monitor),
    routes: healthRoutes(monitor),
    logger: quietLogger,
  });
  monitor.start();
  await monitor.current();
});

afterAll(async () => {
  await server?.close();
  await monitor?.stop();
  await factory?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function getMetrics() {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

function value(
  families: ReturnType<typeof parsePrometheusText>,
  name: string,
  labels: Record<string, string> = {},
) {
  return families
    .get(name)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('health on a real PostgreSQL', () => {
  it('checks PostgreSQL, its JSONB documents, the cache and the disk: all ok', async () => {
    const agg = await untilStatus(monitor, 'ok', 5000);
    expect(agg.checks.map((c) => [c.id, c.label, c.status])).toEqual([
      ['postgres', 'PostgreSQL', 'ok'],
      ['documents', 'Documents (PostgreSQL)', 'ok'],
      ['cache', 'Cache (in-process)', 'ok'],
      ['disk', 'Free disk', 'ok'],
    ]);
    const pg = agg.checks[0]!;
    expect(pg.latencyMs).toBeGreaterThan(0);
    expect(pg.detail).toMatch(/^PostgreSQL \d+/);
    expect(pg.detail).toContain(`127.0.0.1:${cluster.port}/postgres`);
    expect(pg.metrics!.pool_max).toBe(10);
    expect(pg.metrics!.database_size_bytes).toBeGreaterThan(1_000_000);
    expect(pg.metrics!.server_connections).toBeGreaterThanOrEqual(1);
    expect(pg.metrics!.server_max_connections).toBe(30);
  });

  it('serves /health as JSON with 200 and the data services in the old shape', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthJson;
    expect(body.status).toBe('ok');
    expect(body.reasons).toEqual([]);
    expect(body.services.map((s) => [s.service, s.backend, s.status])).toEqual([
      ['relational', 'postgres', 'ok'],
      ['documents', 'postgres-jsonb', 'ok'],
      ['cache', 'memory', 'ok'],
    ]);
    expect(Date.parse(body.checkedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('serves /metrics that a strict text-format parser accepts', async () => {
    const families = await getMetrics();
    for (const f of families.values()) {
      expect(f.help, f.name).toBeTruthy();
      expect(f.type, f.name).not.toBe('untyped');
    }
    expect(value(families, 'nova_health_status', { status: 'ok' })).toBe(1);
    expect(value(families, 'nova_service_up', { check: 'postgres', backend: 'postgres' })).toBe(1);
    expect(value(families, 'nova_pg_pool_max_connections')).toBe(10);
    expect(value(families, 'nova_pg_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(
      0,
    );
    expect(value(families, 'nova_pg_database_size_bytes')).toBeGreaterThan(1_000_000);
    expect(value(families, 'nova_disk_free_bytes', { path: dir })).toBeGreaterThan(0);
    expect(value(families, 'nova_check_latency_seconds', { check: 'postgres' })).toBeGreaterThan(0);
    expect(value(families, 'nova_health_runs_total')).toBeGreaterThanOrEqual(1);
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('turns down within one interval when PostgreSQL stops, naming it, and ok again when it is back', async () => {
    const down = nextTransition(monitor, 'down', 10_000);
    await cluster.pause();
    const stoppedAt = Date.now();
    const t = await down;
    // The next run starts at most one interval later; a refused connection is reported at once.
    expect(Date.now() - stoppedAt).toBeLessThan(INTERVAL_MS + 1500);
    expect(t.from).toBe('ok');
    const reason = t.reasons[0]!;
    expect(reason).toMatchObject({
      check: 'postgres',
      label: 'PostgreSQL',
      status: 'down',
      effect: 'down',
    });
    expect(reason.message).toMatch(/^PostgreSQL is down: .*PostgreSQL/);
    expect(reason.message).toContain(`127.0.0.1:${cluster.port}`);
    expect(reason.fix.length).toBeGreaterThan(10);

    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as HealthJson;
    expect(body.status).toBe('down');
    expect(body.reasons[0]!.label).toBe('PostgreSQL');
    const families = await getMetrics();
    expect(value(families, 'nova_health_status', { status: 'down' })).toBe(1);
    expect(value(families, 'nova_service_up', { check: 'postgres' })).toBe(0);
    expect(value(families, 'nova_check_status', { check: 'postgres' })).toBe(2);

    const ok = nextTransition(monitor, 'ok', 15_000);
    await cluster.start();
    const back = await ok;
    expect(back.from).toBe('down');
    expect(back.reasons).toEqual([]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    // Every run kept its place in the history, the outage included.
    const statuses = monitor.history('postgres').map((s) => s.status);
    expect(statuses).toContain('down');
    expect(statuses.at(-1)).toBe('ok');
  });
});
