/**
 * A replicated PostgreSQL for failover tests: a primary (initdb + pg_ctl) and
 * a hot standby cloned from it with `pg_basebackup -R` that streams its WAL,
 * both private, on free loopback ports, with a scram-sha-256 password. Tests
 * stop the primary and promote the standby underneath a running appliance.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { osFreePort } from '../../main/core/services/ports.js';
import { bin, initdb, serverAccount } from './postgres.js';

export interface ReplicaNode {
  port: number;
  /** Single-host URL of this server, database `postgres`. */
  url: string;
}

export interface ReplicatedPostgres {
  password: string;
  primary: ReplicaNode;
  standby: ReplicaNode;
  /** `postgres://…@127.0.0.1:P1,127.0.0.1:P2/<database>?target_session_attrs=<attrs>`. */
  multiHostUrl(database?: string, attrs?: string): string;
  /** Fast shutdown of the primary: sessions are cut, the WAL it wrote reaches the standby first. */
  stopPrimary(): Promise<void>;
  /** Turns the standby into a primary (pg_ctl promote -w). */
  promoteStandby(): Promise<void>;
  /** Waits until the standby has replayed everything the primary wrote so far. */
  waitForStandbyCatchUp(timeoutMs?: number): Promise<void>;
  /** Stops both servers and deletes their files. */
  stop(): Promise<void>;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts a primary and a streaming standby; resolves once the standby streams. */
export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const password = randomBytes(12).toString('base64url');
  const account = serverAccount();
  const asServer = account ? { uid: account.uid, gid: account.gid } : {};
  const own = (path: string): void => {
    if (account) chownSync(path, account.uid, account.gid);
  };
  const root = await mkdtemp(join(tmpdir(), 'nova-pg-ha-'));
  own(root);
  const primaryDir = join(root, 'primary');
  const standbyDir = join(root, 'standby');
  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  own(pwfile);
  const [primaryPort, standbyPort] = [await osFreePort(), await osFreePort()];
  const pgCtl = bin('pg_ctl');
  const running = new Set<string>();
  const log = (dir: string) => join(root, `${dir === primaryDir ? 'primary' : 'standby'}.log`);

  const ctl = async (dir: string, args: string[]): Promise<void> => {
    await execa(pgCtl, ['-D', dir, ...args], asServer);
  };
  const start = async (dir: string): Promise<void> => {
    running.add(dir);
    await ctl(dir, ['-l', log(dir), '-w', '-t', '60', 'start']);
  };
  const stopOnExit = (): void => {
    for (const dir of running) {
      try {
        execFileSync(pgCtl, ['-D', dir, '-m', 'immediate', 'stop'], {
          stdio: 'ignore',
          ...asServer,
        });
      } catch {
        // Best effort while the process exits.
      }
    }
  };
  const stop = async (): Promise<void> => {
    for (const dir of [...running]) {
      running.delete(dir);
      await execa(pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop'], {
        ...asServer,
        reject: false,
      });
    }
    process.removeListener('exit', stopOnExit);
    await rm(root, { recursive: true, force: true });
  };
  process.on('exit', stopOnExit);

  const settings = (port: number) =>
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'max_connections = 40',
      'wal_level = replica',
      'max_wal_senders = 5',
      'hot_standby = on',
      // A standby that was down a moment must still find the WAL it missed.
      "wal_keep_size = '64MB'",
    ].join('\n');
  const nodeUrl = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  try {
    await initdb(primaryDir, pwfile, asServer);
    appendFileSync(join(primaryDir, 'postgresql.conf'), `\n${settings(primaryPort)}\n`);
    await start(primaryDir);

    mkdirSync(standbyDir, { mode: 0o700 });
    own(standbyDir);
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL the copy needs.
    await execa(
      bin('pg_basebackup'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primaryPort),
        '-U',
        'postgres',
        '-D',
        standbyDir,
        '-R',
        '-X',
        'stream',
        '--no-sync',
      ],
      { ...asServer, env: { PGPASSWORD: password } },
    );
    // The copy carries the primary's settings; later lines win.
    appendFileSync(join(standbyDir, 'postgresql.conf'), `\n${settings(standbyPort)}\n`);
    await start(standbyDir);

    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await sql<{ n: number }>(
        nodeUrl(primaryPort),
        "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'",
      );
      if (rows[0]?.n === 1) break;
      if (Date.now() > deadline) throw new Error('the standby did not start streaming within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    password,
    primary: { port: primaryPort, url: nodeUrl(primaryPort) },
    standby: { port: standbyPort, url: nodeUrl(standbyPort) },
    multiHostUrl: (database = 'postgres', attrs = 'read-write') =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${primaryPort},127.0.0.1:${standbyPort}/${database}?target_session_attrs=${attrs}`,
    stopPrimary: async () => {
      running.delete(primaryDir);
      await ctl(primaryDir, ['-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    promoteStandby: async () => {
      await ctl(standbyDir, ['-w', '-t', '60', 'promote']);
    },
    waitForStandbyCatchUp: async (timeoutMs = 30_000) => {
      const [{ lsn }] = (await sql<{ lsn: string }>(
        nodeUrl(primaryPort),
        'SELECT pg_current_wal_lsn()::text AS lsn',
      )) as [{ lsn: string }];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql<{ caught: boolean }>(
          nodeUrl(standbyPort),
          `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS caught`,
        );
        if (row?.caught) return;
        if (Date.now() > deadline) throw new Error('the standby did not catch up in time');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
  };
}
