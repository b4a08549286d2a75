/**
 * The one place tests get PostgreSQL from.
 *
 * - `createScratchDatabase()`: a uniquely named database on the machine's
 *   server (NOVA_TEST_POSTGRES_ADMIN_URL, default the trust-auth server on
 *   127.0.0.1:5432), dropped with FORCE afterwards.
 * - `createScratchSchema()`: a fresh schema in such a database, when a test
 *   only needs an empty namespace and CREATE DATABASE would be the slow part.
 * - `startPrivateCluster()`: a throw-away cluster (initdb + pg_ctl) on a free
 *   loopback port with scram-sha-256 passwords and optionally TLS, for what
 *   the shared trust-auth server cannot show (wrong passwords, certificates).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { osFreePort } from '../../main/core/services/ports.js';

export const ADMIN_URL =
  process.env.NOVA_TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `fn` with a client connected to the admin database of the shared server. */
export async function withAdminClient<T>(
  fn: (client: pg.Client) => Promise<T>,
  url = ADMIN_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  name: string;
  /** Connection URL for the new database (same server and user as the admin URL). */
  url: string;
  /** Drops the database, disconnecting anyone still on it. Safe to call twice. */
  drop(): Promise<void>;
}

export interface ScratchDatabaseOptions {
  /** Default collation from ICU (e.g. `en-US`, as a stock server's en_US locale sorts), instead of the server's. */
  icuLocale?: string;
  /** The database's default TimeZone for new sessions (e.g. `America/New_York`). */
  timeZone?: string;
}

export async function createScratchDatabase(
  prefix = 'nova_test',
  options: ScratchDatabaseOptions = {},
): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const locale = options.icuLocale
    ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale.replace(/'/g, "''")}' LOCALE 'C.UTF-8'`
    : '';
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"${locale}`));
  if (options.timeZone) {
    const tz = options.timeZone.replace(/'/g, "''");
    await withAdminClient((c) => c.query(`ALTER DATABASE "${name}" SET timezone = '${tz}'`));
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

export interface ScratchSchema {
  name: string;
  /** `databaseUrl` with this schema alone on the search_path, so unqualified names land in it. */
  url: string;
  /** Drops the schema and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A uniquely named, empty schema in an existing database: a stand-in for a
 * fresh database that costs milliseconds instead of a CREATE DATABASE.
 */
export async function createScratchSchema(
  databaseUrl: string,
  prefix = 'nova_s',
): Promise<ScratchSchema> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE SCHEMA "${name}"`), databaseUrl);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdminClient((c) => c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`), databaseUrl).then(
        () => undefined,
      ),
  };
}

/** Directory of initdb/pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/<major>/bin (Debian keeps them off PATH), else PATH. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(base, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(base, majors[0], 'bin');
}

/** Path of a PostgreSQL program (initdb, pg_ctl, pg_basebackup…) in postgresBinDir(). */
export function bin(name: string): string {
  const dir = postgresBinDir();
  return dir ? join(dir, name) : name;
}

/** initdb refuses to run as root; tests running as root start the cluster as the `postgres` account. */
export function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** initdb for a test cluster: superuser `postgres` with the password in `pwfile`, scram-sha-256, UTF8. */
export async function initdb(
  dataDir: string,
  pwfile: string,
  asServer: { uid?: number; gid?: number },
): Promise<void> {
  await execa(
    bin('initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ],
    asServer,
  );
}

export interface PrivateClusterOptions {
  /** Password of the `postgres` superuser (scram-sha-256 for every connection). */
  password?: string;
  /** Serve TLS with a fresh self-signed certificate for IP 127.0.0.1. */
  tls?: boolean;
}

export interface PrivateCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  /** URL with the right password, database `postgres`. */
  url: string;
  /** The server certificate (self-signed, so also its own CA) when `tls` was asked for. */
  caFile: string | undefined;
  /** Restarts the server (fast shutdown: every open connection is cut), keeping data and port. */
  restart(): Promise<void>;
  /** Stops the server (fast shutdown) but keeps its data and port, so start() can bring it back. */
  pause(): Promise<void>;
  /** Starts a server stopped with pause() again, on the same port with the same data. */
  start(): Promise<void>;
  /** Stops the server for good and deletes its files. */
  stop(): Promise<void>;
}

export async function startPrivateCluster(
  options: PrivateClusterOptions = {},
): Promise<PrivateCluster> {
  const password = options.password ?? randomBytes(12).toString('base64url');
  const account = serverAccount();
  const asServer = account ? { uid: account.uid, gid: account.gid } : {};
  const own = (path: string): void => {
    if (account) chownSync(path, account.uid, account.gid);
  };

  const root = await mkdtemp(join(tmpdir(), 'nova-pg-'));
  own(root);
  const dataDir = join(root, 'data');
  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  own(pwfile);
  const port = await osFreePort();
  const pgCtl = bin('pg_ctl');
  let started = false;

  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await execa(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], {
        ...asServer,
        reject: false,
      });
    }
    process.removeListener('exit', stopOnExit);
    await rm(root, { recursive: true, force: true });
  };
  // A test run that dies before its afterAll must not leave a server behind.
  const stopOnExit = (): void => {
    if (!started) return;
    try {
      execFileSync(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop'], {
        stdio: 'ignore',
        ...asServer,
      });
    } catch {
      // Best effort while the process exits.
    }
  };

  try {
    await initdb(dataDir, pwfile, asServer);
    const settings = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'max_connections = 30',
    ];
    if (options.tls) {
      const key = join(dataDir, 'server.key');
      const cert = join(dataDir, 'server.crt');
      await execa('openssl', [
        'req',
        '-new',
        '-x509',
        '-days',
        '2',
        '-nodes',
        '-newkey',
        'rsa:2048',
        '-subj',
        '/CN=nova-test-postgres',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]);
      chmodSync(key, 0o600);
      own(key);
      own(cert);
      settings.push('ssl = on');
    }
    // Later lines win in postgresql.conf, so appending overrides initdb's defaults.
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
    process.on('exit', stopOnExit);
    started = true;
    await execa(
      pgCtl,
      ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '30', 'start'],
      asServer,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    caFile: options.tls ? join(dataDir, 'server.crt') : undefined,
    restart: async () => {
      await execa(
        pgCtl,
        ['-D', dataDir, '-l', join(root, 'server.log'), '-m', 'fast', '-w', '-t', '30', 'restart'],
        asServer,
      );
    },
    pause: async () => {
      if (!started) return;
      await execa(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], asServer);
      started = false;
    },
    start: async () => {
      if (started) return;
      // Marked first: a failed start may still leave a server that stop() must end.
      started = true;
      await execa(
        pgCtl,
        ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '30', 'start'],
        asServer,
      );
    },
    stop,
  };
}
