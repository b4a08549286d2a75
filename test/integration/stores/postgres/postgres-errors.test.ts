/**
 * postgres-errors.ts over error objects the real server and driver produce
 * (never hand-made look-alikes): each case provokes the failure with a plain
 * `pg.Client`, then maps what was thrown.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osFreePort } from '../../../../main/core/services/ports.js';
import type { PostgresTarget } from '../../../../main/core/stores/postgres/postgres-connection.js';
import {
  isSessionReusable,
  mapPostgresError,
  sqlState,
  type PostgresErrorContext,
} from '../../../../main/core/stores/postgres/postgres-errors.js';
import { probeServerSsl } from '../../../../main/core/stores/postgres/postgres-ssl-probe.js';
import {
  ADMIN_URL,
  createScratchDatabase,
  startPrivateCluster,
  withAdminClient,
  type PrivateCluster,
  type ScratchDatabase,
} from '../../../support/postgres.js';

let cluster: PrivateCluster;
let scratch: ScratchDatabase;
const shared = new URL(ADMIN_URL);
const sharedTarget: PostgresTarget = {
  host: shared.hostname,
  port: Number(shared.port || 5432),
  database: 'postgres',
  user: decodeURIComponent(shared.username) || 'postgres',
};

beforeAll(async () => {
  [cluster, scratch] = await Promise.all([
    startPrivateCluster({ password: 'Right-Pa55!', tls: true }),
    createScratchDatabase(),
  ]);
  await withAdminClient(async (c) => {
    await c.query(`CREATE TABLE parent (id int PRIMARY KEY);
      CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent (id), n int CHECK (n > 0));
      INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1, 1);`);
  }, scratch.url);
});

afterAll(async () => {
  await Promise.all([cluster?.stop(), scratch?.drop()]);
});

/** Connects (and optionally queries) with a raw client and returns what it threw. */
async function failure(config: pg.ClientConfig, sql?: string): Promise<unknown> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (sql) await client.query(sql);
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error('expected the operation to fail');
}

const ctx = (
  target: PostgresTarget,
  extra: Partial<PostgresErrorContext> = {},
): PostgresErrorContext => ({
  target,
  phase: 'connect',
  ...extra,
});

/** The shared server's URL with another user or database (pg lets the URL win over separate fields). */
function sharedUrl(change: { user?: string; database?: string }): string {
  const url = new URL(ADMIN_URL);
  if (change.user) url.username = change.user;
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}

const clusterTarget = (): PostgresTarget => ({
  host: '127.0.0.1',
  port: cluster.port,
  database: 'postgres',
  user: 'postgres',
});

describe('authentication and missing things', () => {
  it('28P01 wrong password → AUTH_FAILED naming the user, never the password', async () => {
    const err = await failure({
      host: '127.0.0.1',
      port: cluster.port,
      user: 'postgres',
      password: 'Wrong-Pa55!',
    });
    expect(sqlState(err)).toBe('28P01');
    const mapped = mapPostgresError(err, ctx(clusterTarget()));
    expect(mapped.code).toBe('AUTH_FAILED');
    expect(mapped.message).toBe(
      'password authentication failed for user postgres — check POSTGRES_URL',
    );
    expect(`${mapped.message} ${mapped.fix}`).not.toMatch(/Wrong-Pa55|Right-Pa55/);
    expect(mapped.cause).toBe(err);
  });

  it('28000 unknown role → AUTH_FAILED with a fix that names the role', async () => {
    const err = await failure({ connectionString: sharedUrl({ user: 'nova_no_such_role' }) });
    expect(sqlState(err)).toBe('28000');
    const mapped = mapPostgresError(err, ctx({ ...sharedTarget, user: 'nova_no_such_role' }));
    expect(mapped.code).toBe('AUTH_FAILED');
    expect(mapped.fix).toContain('nova_no_such_role');
  });

  it('3D000 → DB_MISSING naming the database and suggesting createdb', async () => {
    const err = await failure({ connectionString: sharedUrl({ database: 'nova_no_such_db' }) });
    expect(sqlState(err)).toBe('3D000');
    const mapped = mapPostgresError(err, ctx({ ...sharedTarget, database: 'nova_no_such_db' }));
    expect(mapped.code).toBe('DB_MISSING');
    expect(mapped.message).toContain('"nova_no_such_db"');
    expect(mapped.message).toContain(`${sharedTarget.host}:${sharedTarget.port}`);
    expect(mapped.fix).toContain('createdb');
  });

  it('ECONNREFUSED → CONN_REFUSED naming host:port and how to start the service', async () => {
    const port = await osFreePort();
    const err = await failure({ host: '127.0.0.1', port, user: 'postgres' });
    const target = { ...sharedTarget, host: '127.0.0.1', port };
    const mapped = mapPostgresError(err, ctx(target));
    expect(mapped.code).toBe('CONN_REFUSED');
    expect(mapped.message).toContain(`127.0.0.1:${port}`);
    expect(mapped.fix).toContain('nova-db up');
    expect(isSessionReusable(err)).toBe(false);
  });
});

describe('statements', () => {
  const query = (sql: string) =>
    failure({ connectionString: scratch.url, statement_timeout: 100 }, sql);

  it('57014 statement timeout → TIMEOUT mentioning the limit', async () => {
    const err = await query('SELECT pg_sleep(2)');
    expect(sqlState(err)).toBe('57014');
    const mapped = mapPostgresError(
      err,
      ctx(sharedTarget, { phase: 'query', statementTimeoutMs: 100 }),
    );
    expect(mapped.code).toBe('TIMEOUT');
    expect(mapped.message).toContain('100 ms');
    expect(mapped.fix).toContain('POSTGRES_STATEMENT_TIMEOUT_MS');
    expect(isSessionReusable(err)).toBe(true);
  });

  it.each([
    ['23505', 'INSERT INTO parent VALUES (1)', 'parent_pkey'],
    ['23503', 'INSERT INTO child VALUES (2, 99, 1)', 'child_parent_id_fkey'],
    ['23502', 'INSERT INTO child VALUES (3, NULL, 1)', 'parent_id'],
    ['23514', 'INSERT INTO child VALUES (4, 1, -1)', 'child_n_check'],
  ])('%s → CONSTRAINT_VIOLATION with the constraint', async (state, sql, mention) => {
    const err = await query(sql);
    expect(sqlState(err)).toBe(state);
    const mapped = mapPostgresError(err, ctx(sharedTarget, { phase: 'query' }));
    expect(mapped.code).toBe('CONSTRAINT_VIOLATION');
    expect(mapped.message).toContain(mention);
    expect(mapped.message).toContain(`SQLSTATE ${state}`);
    expect(isSessionReusable(err)).toBe(true);
  });

  it('other server errors → QUERY_FAILED with the server message and SQLSTATE', async () => {
    const err = await query('SELEC 1');
    const mapped = mapPostgresError(err, ctx(sharedTarget, { phase: 'query' }));
    expect(mapped.code).toBe('QUERY_FAILED');
    expect(mapped.message).toContain('syntax error at or near "SELEC"');
    expect(mapped.message).toContain('SQLSTATE 42601');
    const missing = mapPostgresError(
      await query('SELECT * FROM nope'),
      ctx(sharedTarget, { phase: 'query' }),
    );
    expect(missing.message).toContain('SQLSTATE 42P01');
  });

  it('57P01 (backend terminated by an admin) → SERVICE_UNAVAILABLE, session not reusable', async () => {
    const client = new pg.Client({ connectionString: scratch.url });
    const events: unknown[] = [];
    client.on('error', (e) => events.push(e));
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pending = client.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await withAdminClient((c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]));
    const err = await pending;
    await client.end().catch(() => undefined);
    expect(sqlState(err)).toBe('57P01');
    expect(isSessionReusable(err)).toBe(false);
    expect(mapPostgresError(err, ctx(sharedTarget, { phase: 'query' })).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});

describe('TLS', () => {
  const tls = (host: string, ssl: pg.ClientConfig['ssl']) =>
    failure({ host, port: cluster.port, user: 'postgres', password: cluster.password, ssl });

  it('a self-signed certificate under verification → TLS_FAILED pointing at POSTGRES_SSL_CA', async () => {
    const err = await tls('127.0.0.1', { rejectUnauthorized: true });
    expect((err as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const mapped = mapPostgresError(err, ctx(clusterTarget(), { sslRequested: true }));
    expect(mapped.code).toBe('TLS_FAILED');
    expect(mapped.fix).toContain('POSTGRES_SSL_CA');
  });

  it('a certificate for another host name → TLS_FAILED naming the host', async () => {
    const err = await tls('localhost', {
      rejectUnauthorized: true,
      ca: readFileSync(cluster.caFile!, 'utf8'),
    });
    expect((err as { code?: string }).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const mapped = mapPostgresError(
      err,
      ctx({ ...clusterTarget(), host: 'localhost' }, { sslRequested: true }),
    );
    expect(mapped.code).toBe('TLS_FAILED');
    expect(mapped.message).toContain('"localhost"');
  });

  it('a server without SSL: the driver error has no code, the probe tells → TLS_FAILED', async () => {
    const err = await failure({ connectionString: ADMIN_URL, ssl: { rejectUnauthorized: false } });
    expect((err as { code?: string }).code).toBeUndefined();
    const serverSupportsSsl = await probeServerSsl(sharedTarget.host, sharedTarget.port);
    expect(serverSupportsSsl).toBe(false);
    const mapped = mapPostgresError(
      err,
      ctx(sharedTarget, {
        sslRequested: true,
        serverSupportsSsl,
        elapsedMs: 5,
        connectTimeoutMs: 5000,
      }),
    );
    expect(mapped.code).toBe('TLS_FAILED');
    expect(mapped.message).toContain('does not support SSL');
    expect(mapped.fix).toContain('POSTGRES_SSL=disable');
  });

  it('the probe sees S from a TLS server and no answer where nothing listens', async () => {
    expect(await probeServerSsl('127.0.0.1', cluster.port)).toBe(true);
    expect(await probeServerSsl('127.0.0.1', await osFreePort())).toBeUndefined();
  });
});

describe('timeouts without an error code', () => {
  it('a server that accepts TCP but never answers → TIMEOUT, judged by elapsed time', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const err = await failure({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      connectionTimeoutMillis: 300,
    });
    const elapsedMs = Date.now() - started;
    for (const s of sockets) s.destroy();
    silent.close();
    expect((err as { code?: string }).code).toBeUndefined();
    const target = { ...sharedTarget, host: '127.0.0.1', port };
    const mapped = mapPostgresError(err, ctx(target, { elapsedMs, connectTimeoutMs: 300 }));
    expect(mapped.code).toBe('TIMEOUT');
    expect(mapped.message).toContain(`127.0.0.1:${port}`);
    expect(mapped.fix).toContain('POSTGRES_CONNECT_TIMEOUT_MS');
    // The same code-less error long before the limit is a lost connection, not a timeout.
    expect(mapPostgresError(err, ctx(target, { elapsedMs: 5, connectTimeoutMs: 300 })).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
