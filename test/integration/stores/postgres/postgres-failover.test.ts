/**
 * A replicated PostgreSQL under the appliance (test/support/postgres-replication.ts:
 * a primary and a standby cloned with `pg_basebackup -R`, streaming): the
 * store finds the primary among the hosts of a multi-host POSTGRES_URL
 * whatever their order, honours libpq's target_session_attrs, reports the
 * topology in health, retries reads cut off by a dropped session once — and,
 * under a steady read/write load, follows a failover (primary stopped,
 * standby promoted) with every acknowledged write on the new primary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import { isNovaError } from '../../../../main/core/errors.js';
import { rejection } from '../../../support/rejection.js';
import { DatabaseFactory } from '../../../../main/core/stores/database-factory.js';
import { createLegacyDb } from '../../../../main/core/stores/legacy-db.js';
import { PostgresStore } from '../../../../main/core/stores/postgres/postgres-store.js';
import { osFreePort } from '../../../../main/core/services/ports.js';
import { ExternalProvider } from '../../../../main/core/services/external-provider.js';
import { postgresChecker } from '../../../../main/core/health/checkers/postgres-checker.js';
import { connectPostgres, pgToolEnv } from '../../../../main/core/backup/postgres-connect.js';
import { execa } from 'execa';
import { postgresBinDir } from '../../../support/postgres.js';
import {
  startReplicatedPostgres,
  type ReplicatedPostgres,
} from '../../../support/postgres-replication.js';

let ha: ReplicatedPostgres;
let dataDir: string;
const stores: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  ha = await startReplicatedPostgres();
  dataDir = mkdtempSync(join(tmpdir(), 'nova-pg-failover-'));
}, 120_000);

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  await ha?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function hostsUrl(ports: number[], attrs: string, database = 'postgres'): string {
  const hosts = ports.map((p) => `127.0.0.1:${p}`).join(',');
  return `postgres://postgres:${encodeURIComponent(ha.password)}@${hosts}/${database}?target_session_attrs=${attrs}`;
}

async function open(url: string): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url, poolMax: 4, connectTimeoutMs: 3_000 });
  stores.push(store);
  return store;
}

describe('a multi-host POSTGRES_URL', () => {
  it('lands on the server target_session_attrs asks for, in any host order', async () => {
    const p = ha.primary.port;
    const s = ha.standby.port;
    const cases: [number[], string, number][] = [
      [[s, p], 'read-write', p],
      [[p, s], 'read-write', p],
      [[s, p], 'primary', p],
      [[p, s], 'read-only', s],
      [[p, s], 'standby', s],
      [[p, s], 'prefer-standby', s],
      [[s, p], 'any', s],
    ];
    for (const [ports, attrs, expected] of cases) {
      const store = await open(hostsUrl(ports, attrs));
      const { rows } = await store.query<{ port: number }>(
        "SELECT current_setting('port')::int AS port",
      );
      expect(rows[0]!.port, `${attrs} with ${ports.join(',')}`).toBe(expected);
      expect(store.target.port).toBe(expected);
      await store.close();
    }
  });

  it('refuses a write on a standby chosen on purpose as an ordinary error, not a failover', async () => {
    const store = await open(hostsUrl([ha.primary.port, ha.standby.port], 'standby'));
    const err = await rejection(store.query('CREATE TABLE nope (x int)'));
    expect(err.code).toBe('QUERY_FAILED');
    expect(err.message).toContain('25006');
    await store.close();
  });

  it('names every host when none of them answers', async () => {
    const [a, b] = [await osFreePort(), await osFreePort()];
    const err = await rejection(
      PostgresStore.open({ url: hostsUrl([a, b], 'read-write'), connectTimeoutMs: 2_000 }),
    );
    expect(err.code).toBe('CONN_REFUSED');
    expect(err.message).toContain(`127.0.0.1:${a}`);
    expect(err.message).toContain(`127.0.0.1:${b}`);
    expect(err.message).not.toContain(ha.password);
  });

  it('health names the primary and each standby with its replay lag', async () => {
    const store = await open(hostsUrl([ha.primary.port, ha.standby.port], 'read-write'));
    await store.query('CREATE TABLE IF NOT EXISTS lag_probe (x int)');
    const health = await store.health();
    expect(health.status).toBe('ok');
    expect(health.detail).toContain(`127.0.0.1:${ha.primary.port} primary (in use)`);
    expect(health.detail).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${ha.standby.port} standby, replay lag \\d`),
    );
    const replication = (await store.replication())!;
    expect(replication.primary).toBe(`127.0.0.1:${ha.primary.port}`);
    expect(replication.metrics).toMatchObject({
      replication_hosts: 2,
      replication_primaries: 1,
      replication_standbys: 1,
    });
    expect(
      replication.nodes.find((n) => n.role === 'standby')!.replayLagBytes,
    ).toBeGreaterThanOrEqual(0);
    // The /health checker shows the same, with the numbers for /metrics.
    const check = await postgresChecker(() => store).check();
    expect(check.status).toBe('ok');
    expect(check.detail).toContain(`127.0.0.1:${ha.standby.port} standby`);
    expect(check.metrics).toMatchObject({ replication_hosts: 2, replication_standbys: 1 });
    await store.close();
  });

  it('reaches the primary from backups (driver and psql) and the external profile check', async () => {
    const url = hostsUrl([ha.standby.port, ha.primary.port], 'read-write');
    const client = await connectPostgres({ url });
    const { rows } = await client.query<{ port: number }>(
      "SELECT current_setting('port')::int AS port",
    );
    await client.end();
    expect(rows[0]!.port).toBe(ha.primary.port);
    // libpq takes the host list and target_session_attrs from the environment pgToolEnv builds.
    const psql = await execa(
      join(postgresBinDir() ?? '/usr/bin', 'psql'),
      ['-XAtc', "SELECT current_setting('port')"],
      { env: pgToolEnv({ url }), extendEnv: false },
    );
    expect(Number(psql.stdout.trim())).toBe(ha.primary.port);
    // The external profile's start-up check accepts the URL when any listed host is PostgreSQL.
    const dead = await osFreePort();
    const provider = new ExternalProvider(
      configSchema.parse({
        NOVA_DATA_DIR: dataDir,
        NOVA_PROFILE: 'external',
        POSTGRES_URL: hostsUrl([dead, ha.primary.port], 'read-write'),
        REDIS_URL: 'redis://127.0.0.1',
        MONGODB_URL: 'mongodb://127.0.0.1',
      }),
      { probeTimeoutMs: 1_000 },
    );
    const endpoint = await provider.start('postgres');
    expect(endpoint.port).toBe(ha.primary.port);
    expect((await provider.status('postgres')).state).toBe('healthy');
  });
});

describe('reads cut off by a dropped session', () => {
  let factory: DatabaseFactory;

  beforeAll(async () => {
    const config = configSchema.parse({
      NOVA_DATA_DIR: dataDir,
      NOVA_PROFILE: 'embedded',
      NOVA_POSTGRES_PROFILE: 'external',
      POSTGRES_URL: hostsUrl([ha.standby.port, ha.primary.port], 'read-write'),
    });
    factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
    stores.push(factory);
    await factory.initialize();
  });

  /**
   * Runs `work` while this test holds an exclusive lock on `cut_probe`, so
   * its statement (marked by `tag`, reading or writing `cut_probe`) waits on
   * the server however slow the machine is; terminates that session, then
   * releases the lock so a retry can finish.
   */
  async function cutOff<T>(tag: string, work: () => Promise<T>): Promise<T> {
    const locker = new pg.Client({ connectionString: ha.primary.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cut_probe IN ACCESS EXCLUSIVE MODE');
      const running = work();
      // Awaited by the caller; handled here so a quick rejection is not reported as unhandled meanwhile.
      running.catch(() => undefined);
      const deadline = Date.now() + 30_000;
      for (;;) {
        // pg_stat_activity is read once per transaction: clear that snapshot on every poll.
        await locker.query('SELECT pg_stat_clear_snapshot()');
        const { rowCount } = await locker.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%${tag}%' AND pid <> pg_backend_pid() AND state = 'active' AND query NOT LIKE '%pg_terminate_backend%'`,
        );
        if ((rowCount ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error(`no running statement tagged ${tag} to cut off`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await locker.query('COMMIT');
      return await running;
    } finally {
      await locker.end();
    }
  }

  it('runs an idempotent read again (DatabaseFactory and the legacy db) and never a write', async () => {
    await factory.query('CREATE TABLE IF NOT EXISTS cut_probe (n int)');
    await factory.query('INSERT INTO cut_probe VALUES (1)');
    const read = await cutOff('tag_read_1', () =>
      factory.query<{ v: number }>('SELECT 41 + 1 AS v FROM cut_probe /* tag_read_1 */'),
    );
    expect(read.rows[0]!.v).toBe(42);

    const db = createLegacyDb(factory);
    // Connected, and cut_probe known to the legacy db, before the lock is taken.
    await new Promise<void>((resolve, reject) =>
      db.get('SELECT COUNT(*) AS c FROM cut_probe', [], (err: Error | null) =>
        err ? reject(err) : resolve(),
      ),
    );
    const legacyRow = await cutOff(
      'tag_read_2',
      () =>
        new Promise<Record<string, unknown>>((resolve, reject) =>
          db.get(
            'SELECT ? AS v, COUNT(*) AS c FROM cut_probe /* tag_read_2 */',
            [7],
            (err: Error | null, row?: Record<string, unknown>) =>
              err ? reject(err) : resolve(row!),
          ),
        ),
    );
    expect(Number(legacyRow.v)).toBe(7);
    // A legacy write cut off is not run again; it fails as SQLITE_BUSY, marked FAILOVER.
    const legacyWrite = await cutOff(
      'tag_legacy_write',
      () =>
        new Promise<Error | null>((resolve) =>
          db.run(
            'INSERT INTO cut_probe (n) VALUES (2) /* tag_legacy_write */',
            [],
            (err: Error | null) => resolve(err),
          ),
        ),
    );
    expect(legacyWrite).toMatchObject({ code: 'SQLITE_BUSY', novaCode: 'FAILOVER' });
    const write = await rejection(
      cutOff('tag_write', () => factory.query('INSERT INTO cut_probe VALUES (3) /* tag_write */')),
    );
    expect(write.code).toBe('FAILOVER');
    expect(write.fix).toMatch(/Retry/);
    const { rows } = await factory.query<{ n: number }>('SELECT count(*) AS n FROM cut_probe');
    expect(rows[0]!.n).toBe(1); // neither cut-off write was run again

    const inTx = await rejection(
      cutOff('tag_tx', () =>
        factory.transaction((tx) => tx.query('SELECT n FROM cut_probe /* tag_tx */')),
      ),
    );
    expect(inTx.code).toBe('FAILOVER');
  });
});

interface Outcome {
  kind: 'read' | 'write';
  ok: boolean;
  at: number;
  code?: string;
}

describe('failover under load', () => {
  it('resumes writes on the promoted standby with no acknowledged write lost', async () => {
    const config = configSchema.parse({
      NOVA_DATA_DIR: dataDir,
      NOVA_PROFILE: 'embedded',
      NOVA_POSTGRES_PROFILE: 'external',
      POSTGRES_URL: ha.multiHostUrl(),
      POSTGRES_CONNECT_TIMEOUT_MS: 2_000,
    });
    const factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
    stores.push(factory);
    await factory.initialize();
    await factory.query(
      'CREATE TABLE ha_writes (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())',
    );
    const store = factory.backendsForHealth!.relational as PostgresStore;

    const acknowledged = new Set<number>();
    const outcomes: Outcome[] = [];
    let next = 0;
    let stop = false;
    const worker = async (id: number): Promise<void> => {
      while (!stop) {
        const kind = (next + id) % 3 === 0 ? 'read' : 'write';
        const n = next++;
        try {
          if (kind === 'write') {
            await factory.query('INSERT INTO ha_writes (n) VALUES ($1)', [n]);
            acknowledged.add(n);
          } else {
            await factory.query('SELECT count(*) AS c FROM ha_writes');
          }
          outcomes.push({ kind, ok: true, at: performance.now() });
        } catch (err) {
          outcomes.push({
            kind,
            ok: false,
            at: performance.now(),
            code: isNovaError(err) ? err.code : 'OTHER',
          });
          // A client backs off a little after a failure, as a real one would.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const waitFor = async (cond: () => boolean, what: string, ms = 30_000): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(() => acknowledged.size >= 200, '200 writes before the failover');
      const stoppedAt = performance.now();
      await ha.stopPrimary();
      const stopDoneAt = performance.now();
      // Only the standby answers now: health says degraded, not down.
      const during = await store.health();
      expect(during.status, during.detail).toBe('degraded');
      expect(during.fix).toMatch(/promote/);
      const duringCheck = await postgresChecker(() => store).check();
      expect(duringCheck.status, duringCheck.detail).toBe('degraded');
      expect(duringCheck.detail).toContain(`127.0.0.1:${ha.standby.port} standby`);
      await ha.promoteStandby();
      const promotedAt = performance.now();
      await waitFor(
        () => outcomes.some((o) => o.kind === 'write' && o.ok && o.at > promotedAt),
        'a write on the new primary',
      );
      const writesBefore = acknowledged.size;
      await waitFor(() => acknowledged.size >= writesBefore + 200, '200 writes after the failover');
      stop = true;
      await Promise.all(workers);

      const failed = outcomes.filter((o) => !o.ok);
      // The outage, as clients saw it: from the first failed request to the first write the new primary took.
      const firstFailure = failed[0]!.at;
      const recoveredAt = outcomes.find((o) => o.kind === 'write' && o.ok && o.at > promotedAt)!.at;
      const codes = [...new Set(failed.map((f) => f.code))].sort();
      console.log(
        `[failover] requests ${outcomes.length}, failed ${failed.length} (${failed.filter((f) => f.kind === 'write').length} writes, ${failed.filter((f) => f.kind === 'read').length} reads; codes ${codes.join(', ')}); ` +
          `time to recover ${Math.round(recoveredAt - firstFailure)} ms from the first failure (the primary's stop took ${Math.round(stopDoneAt - stoppedAt)} ms, the promotion ${Math.round(promotedAt - stopDoneAt)} ms; the first write on the new primary came ${Math.round(recoveredAt - promotedAt)} ms after the promotion); acknowledged writes ${acknowledged.size}`,
      );
      // Every failure was a retryable one, nothing else.
      for (const f of failed)
        expect(['FAILOVER', 'SERVICE_UNAVAILABLE', 'CONN_REFUSED']).toContain(f.code);
      expect(recoveredAt - promotedAt).toBeLessThan(30_000);
      expect(store.target.port).toBe(ha.standby.port);

      // No acknowledged write lost: each is on the new primary.
      const check = new pg.Client({ connectionString: ha.standby.url });
      await check.connect();
      const { rows } = await check.query<{ n: number }>('SELECT n FROM ha_writes');
      await check.end();
      const present = new Set(rows.map((r) => r.n));
      const lost = [...acknowledged].filter((n) => !present.has(n));
      console.log(`[failover] writes lost: ${lost.length}`);
      expect(lost).toEqual([]);

      const after = await store.health();
      expect(after.status, after.detail).toBe('ok');
      expect(after.detail).toContain(`127.0.0.1:${ha.standby.port} primary (in use)`);
      expect(after.detail).toContain(`127.0.0.1:${ha.primary.port} unreachable`);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
  }, 120_000);
});
