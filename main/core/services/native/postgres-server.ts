/**
 * A private PostgreSQL cluster under `<dataDir>/services/postgres/` (SPEC §2
 * native profile): initdb once (SCRAM auth, superuser `nova` with the
 * generated password, UTF8, C locale), pg_ctl start/stop on a loopback port,
 * database `nova` created on first start, the server log kept beside the
 * cluster. When we are root the programs run as an unprivileged OS user
 * (see os-user.ts).
 *
 * pg_ctl hands `-o` and the `-D`/`-l` paths to /bin/sh (it builds an
 * `exec postgres …` command line), so every value placed there is either an
 * integer we produced or a path we validated and single-quote; paths with
 * characters that are special inside a shell's double quotes are refused
 * up front with a clear error rather than escaped and hoped for.
 */
import {
  access,
  chown,
  constants,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { NovaError, isNovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probePostgres } from '../handshake.js';
import { choosePort } from '../ports.js';
import { CommandError, runCommand } from '../run-command.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint, ServiceStatus } from '../types.js';
import { displayUrl, type NativeServer, type ServerPaths } from './native-server.js';
import { assertUserCanWrite, chownTree, grantTraverse, type OsUser } from './os-user.js';
import { isPidRunning, readTail, waitForExit } from './process-utils.js';

export const POSTGRES_SUPERUSER = 'nova';
export const POSTGRES_DATABASE = 'nova';

export interface PostgresServerOptions {
  dataDir: string;
  password: string;
  initdb: FoundBinary | null;
  pgCtl: FoundBinary | null;
  stateFile: ServiceStateFile;
  /** Fixed port from configuration; otherwise the remembered port or a free one. */
  port?: number;
  /** Run the programs as this user (we are root); undefined = as ourselves. */
  osUser?: OsUser;
  /** pg_ctl -t: seconds to wait for start/stop (default 60). */
  waitSeconds?: number;
}

/** Characters with meaning inside a shell's double quotes, or in postgres' option parsing. */
const SHELL_UNSAFE = /["$`\\'\n\r,]/;

export function postgresPaths(dataDir: string): ServerPaths & { sockets: string } {
  const base = path.join(dataDir, 'services', 'postgres');
  return {
    base,
    data: path.join(base, 'data'),
    log: path.join(base, 'postgres.log'),
    sockets: path.join(base, 'run'),
  };
}

/**
 * The `-o` string for pg_ctl. Unix-socket paths are limited (~104 bytes
 * with the socket file name); when ours is too long we run TCP-only rather
 * than put the socket somewhere shared like /tmp.
 */
export function postgresOptions(port: number, socketDir: string): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NovaError('INVALID_ARGUMENT', `Invalid PostgreSQL port ${String(port)}.`, {
      fix: 'Use a port between 1 and 65535.',
    });
  }
  if (SHELL_UNSAFE.test(socketDir)) throw unsafePath(socketDir);
  const socketFits = Buffer.byteLength(`${socketDir}/.s.PGSQL.${port}`) < 100;
  return `-p ${port} -k '${socketFits ? socketDir : ''}' -c listen_addresses=127.0.0.1`;
}

function unsafePath(p: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `The path ${p} contains a character PostgreSQL's pg_ctl cannot be given safely (one of " $ \` \\ ' , or a newline).`,
    {
      fix: 'Choose a data directory whose path has none of these characters (--data-dir or NOVA_DATA_DIR).',
    },
  );
}

export class PostgresServer implements NativeServer {
  readonly service = 'postgres' as const;
  readonly paths: ReturnType<typeof postgresPaths>;
  #pid: number | undefined;
  #port: number | undefined;
  readonly #o: PostgresServerOptions;

  constructor(options: PostgresServerOptions) {
    this.#o = options;
    this.paths = postgresPaths(options.dataDir);
  }

  pid(): number | undefined {
    return this.#pid;
  }

  #url(port: number): string {
    return `postgres://${POSTGRES_SUPERUSER}:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}/${POSTGRES_DATABASE}`;
  }

  #endpoint(port: number): ServiceEndpoint {
    return { service: 'postgres', url: this.#url(port), host: '127.0.0.1', port };
  }

  #run(args: string[], what: string, timeoutMs = 90_000) {
    const bin = this.#o.pgCtl?.path as string;
    return runCommand(bin, args, {
      asUser: this.#o.osUser?.name,
      cwd: this.paths.base,
      timeoutMs,
      what,
    });
  }

  /** The pid in `postmaster.pid`, when the file exists and is well-formed. */
  async #postmasterPid(): Promise<number | undefined> {
    try {
      const first =
        (await readFile(path.join(this.paths.data, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '';
      const pid = Number(first.trim());
      return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Adopts a server a previous run left behind — only when all three agree:
   * the recorded pid is alive, postmaster.pid in OUR data dir names it, and
   * the recorded port answers the PostgreSQL handshake. Anything less could
   * be a different program reusing the pid or port.
   */
  async #tryAdopt(): Promise<ServiceEndpoint | null> {
    const record = await this.#o.stateFile.get('postgres');
    if (!record?.pid) return null;
    if (!(await isPidRunning(record.pid))) return null;
    if ((await this.#postmasterPid()) !== record.pid) return null;
    if (!(await probePostgres('127.0.0.1', record.port, { timeoutMs: 1000 })).confirmed)
      return null;
    this.#pid = record.pid;
    this.#port = record.port;
    return this.#endpoint(record.port);
  }

  async start(): Promise<ServiceEndpoint> {
    for (const p of [this.paths.data, this.paths.log])
      if (SHELL_UNSAFE.test(p)) throw unsafePath(p);
    const adopted = await this.#tryAdopt();
    if (adopted) {
      await this.#ensureDatabase(adopted.port);
      return adopted;
    }
    this.#requireBinaries();
    await this.#prepareDirectories();
    await this.#ensureCluster();

    const record = await this.#o.stateFile.get('postgres');
    const port = await choosePort({
      service: 'postgres',
      fixed: this.#o.port,
      remembered: record?.port,
    });
    // A previous server may still be shutting down after a crash (its
    // backends exit on postmaster death); pg_ctl reports that clearly.
    try {
      await this.#run(
        [
          'start',
          '-w',
          '-t',
          String(this.#o.waitSeconds ?? 60),
          '-D',
          this.paths.data,
          '-l',
          this.paths.log,
          '-o',
          postgresOptions(port, this.paths.sockets),
        ],
        'pg_ctl start',
      );
    } catch (err) {
      throw await this.#explainStartFailure(err, port);
    }
    const pid = await this.#postmasterPid();
    this.#pid = pid;
    this.#port = port;
    await this.#o.stateFile.update('postgres', () => ({
      port,
      ...(pid ? { pid } : {}),
      startedAt: new Date().toISOString(),
    }));
    await this.#ensureDatabase(port);
    return this.#endpoint(port);
  }

  #requireBinaries(): void {
    for (const [name, found] of [
      ['initdb', this.#o.initdb],
      ['pg_ctl', this.#o.pgCtl],
    ] as const) {
      if (!found) {
        throw new NovaError(
          'BINARY_MISSING',
          `${name} not found; the native PostgreSQL profile needs the PostgreSQL server programs.`,
          {
            fix: `${installHint(name)}, or choose the docker or external profile for PostgreSQL.`,
          },
        );
      }
    }
    if (path.dirname(this.#o.initdb!.path) !== path.dirname(this.#o.pgCtl!.path)) {
      throw new NovaError(
        'BINARY_MISSING',
        `initdb (${this.#o.initdb!.path}) and pg_ctl (${this.#o.pgCtl!.path}) come from different PostgreSQL installations.`,
        {
          fix: 'Install the complete PostgreSQL server package of one version, or put its bin directory first on PATH.',
        },
      );
    }
  }

  async #prepareDirectories(): Promise<void> {
    const user = this.#o.osUser;
    try {
      await mkdir(this.paths.base, { recursive: true, mode: 0o700 });
      await access(this.paths.base, constants.W_OK);
      if (user) {
        await grantTraverse(this.#o.dataDir, this.paths.base);
        const s = await stat(this.paths.base);
        if (s.uid !== user.uid) await chownTree(this.paths.base, user);
      }
      await mkdir(this.paths.sockets, { recursive: true, mode: 0o700 });
      if (user) await chownTree(this.paths.sockets, user);
    } catch (err) {
      throw new NovaError(
        'DATA_DIR_NOT_WRITABLE',
        `Cannot prepare the PostgreSQL directory ${this.paths.base}: ${(err as Error).message}.`,
        {
          fix: `Make ${this.#o.dataDir} writable by this user, or choose another data directory with --data-dir.`,
          cause: err,
        },
      );
    }
    if (user) await assertUserCanWrite(this.paths.base, user);
  }

  /** Creates the cluster on first start; checks an existing one looks like a cluster of our major version. */
  async #ensureCluster(): Promise<void> {
    const entries = await readdir(this.paths.data).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (entries === null || entries.length === 0) {
      await this.#initdb();
      return;
    }
    let version: string;
    try {
      version = (await readFile(path.join(this.paths.data, 'PG_VERSION'), 'utf8')).trim();
    } catch {
      throw this.#corrupt('PG_VERSION is missing');
    }
    if (!/^\d+(\.\d+)?$/.test(version))
      throw this.#corrupt(`PG_VERSION does not hold a version ("${version.slice(0, 20)}")`);
    try {
      await access(path.join(this.paths.data, 'postgresql.conf'), constants.R_OK);
    } catch {
      throw this.#corrupt('postgresql.conf is missing');
    }
    const installed = this.#o.pgCtl?.version?.split('.')[0];
    const clusterMajor = version.split('.')[0];
    if (installed && clusterMajor !== installed && !version.startsWith(`${installed}.`)) {
      throw new NovaError(
        'SERVICE_UNAVAILABLE',
        `The PostgreSQL cluster in ${this.paths.data} was created by PostgreSQL ${version}, but the installed programs are version ${this.#o.pgCtl?.version}.`,
        {
          fix: `Install PostgreSQL ${version} alongside (its bin directory is searched first when present), or upgrade the cluster with pg_upgrade.`,
        },
      );
    }
  }

  #corrupt(why: string): NovaError {
    const aside = `${this.paths.data}.broken-${new Date().toISOString().slice(0, 10)}`;
    return new NovaError(
      'DB_CORRUPT',
      `The PostgreSQL cluster directory ${this.paths.data} is damaged: ${why}.`,
      {
        fix: `Nova never deletes data. Move the folder aside (mv "${this.paths.data}" "${aside}") and start again to create a fresh cluster, then restore from a backup; keep the old folder until you are sure nothing in it is needed.`,
      },
    );
  }

  async #initdb(): Promise<void> {
    const pwfile = path.join(this.paths.base, `.pwfile-${process.pid}`);
    // The password goes through a private file, never an argument (which
    // `ps` would show to every user on the machine).
    await writeFile(pwfile, `${this.#o.password}\n`, { mode: 0o600 });
    try {
      if (this.#o.osUser) await chown(pwfile, this.#o.osUser.uid, this.#o.osUser.gid);
      await runCommand(
        this.#o.initdb!.path,
        [
          '-D',
          this.paths.data,
          '--auth=scram-sha-256',
          `--username=${POSTGRES_SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '-E',
          'UTF8',
          '--locale=C',
        ],
        { asUser: this.#o.osUser?.name, cwd: this.paths.base, timeoutMs: 120_000, what: 'initdb' },
      );
    } catch (err) {
      // A half-made cluster would be mistaken for a damaged one next time;
      // it holds no data yet, so removing it is safe.
      await rm(this.paths.data, { recursive: true, force: true });
      throw err;
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  async #explainStartFailure(err: unknown, port: number): Promise<unknown> {
    const log = (await readTail(this.paths.log, 15)).join('\n');
    const tail = log ? `\nServer log (${this.paths.log}):\n${log}` : '';
    if (/Address already in use|could not bind/i.test(log)) {
      return new NovaError(
        'PORT_IN_USE',
        `PostgreSQL could not listen on 127.0.0.1:${port}: the port is in use.${tail}`,
        {
          fix: `Stop the program using port ${port}, or let Nova choose a free port (do not fix the port in the configuration).`,
          cause: err,
        },
      );
    }
    if (
      /configuration file .* contains errors|syntax error in file|invalid value for parameter|unrecognized configuration parameter/i.test(
        log,
      )
    ) {
      return this.#corruptFrom(`its configuration cannot be read`, tail, err);
    }
    if (
      /invalid data in file|could not read file|incorrect checksum in control file|database files are incompatible/i.test(
        log,
      )
    ) {
      return this.#corruptFrom('its files cannot be read', tail, err);
    }
    if (/pre-existing shared memory block|lock file .* already exists/i.test(log)) {
      return new NovaError(
        'SERVICE_UNAVAILABLE',
        `PostgreSQL did not start: a previous server on this cluster has not finished exiting.${tail}`,
        {
          fix: 'Wait a few seconds and start again; if it persists, stop the leftover postgres processes of this data directory.',
          cause: err,
        },
      );
    }
    if (err instanceof CommandError) {
      return new NovaError(err.code, `${err.message}${tail}`, {
        fix: err.fix ?? `Read the server log ${this.paths.log}.`,
        cause: err,
      });
    }
    return err;
  }

  #corruptFrom(why: string, tail: string, cause: unknown): NovaError {
    const e = this.#corrupt(why);
    return new NovaError(e.code, `${e.message}${tail}`, { fix: e.fix, cause });
  }

  /** Creates database `nova` when missing; also proves our password works. */
  async #ensureDatabase(port: number): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: POSTGRES_SUPERUSER,
      password: this.#o.password,
      database: 'postgres',
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => undefined); // a dying server must not crash us; the query below reports it
    try {
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        POSTGRES_DATABASE,
      ]);
      if (exists.rowCount === 0)
        await client.query(`CREATE DATABASE "${POSTGRES_DATABASE.replace(/"/g, '""')}"`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '28P01' || code === '28000') {
        throw new NovaError(
          'AUTH_FAILED',
          'The native PostgreSQL cluster rejected the stored password (credentials.json no longer matches the cluster).',
          {
            fix: 'Restore the credentials.json that created this cluster, or move the cluster folder aside to create a fresh one.',
            cause: err,
          },
        );
      }
      throw new NovaError(
        'SERVICE_UNAVAILABLE',
        `Could not prepare database "${POSTGRES_DATABASE}" on the native PostgreSQL: ${(err as Error).message}.`,
        {
          fix: `Read the server log ${this.paths.log}.`,
          cause: err,
        },
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    const pid = (await this.#postmasterPid()) ?? this.#pid;
    if (pid !== undefined && (await isPidRunning(pid))) {
      try {
        await this.#run(
          [
            'stop',
            '-D',
            this.paths.data,
            '-m',
            'fast',
            '-w',
            '-t',
            String(this.#o.waitSeconds ?? 60),
          ],
          'pg_ctl stop',
        );
      } catch (err) {
        // A server that will not stop fast is stopped immediately (crash
        // recovery on next start) rather than left running after quit.
        if (!(isNovaError(err) && (await isPidRunning(pid)))) throw err;
        await this.#run(
          ['stop', '-D', this.paths.data, '-m', 'immediate', '-w', '-t', '30'],
          'pg_ctl stop -m immediate',
        );
      }
      if (!(await waitForExit(pid, 10_000))) {
        throw new NovaError('TIMEOUT', `PostgreSQL (pid ${pid}) did not exit after pg_ctl stop.`, {
          fix: `Stop it by hand: kill ${pid}.`,
        });
      }
    }
    this.#pid = undefined;
    await this.#o.stateFile.update('postgres', (r) => (r ? { port: r.port } : undefined));
  }

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const pid = this.#pid;
    if (pid === undefined || this.#port === undefined)
      return { ok: false, reason: 'PostgreSQL is not running' };
    if (!(await isPidRunning(pid)))
      return { ok: false, reason: `PostgreSQL (pid ${pid}) exited unexpectedly` };
    const probe = await probePostgres('127.0.0.1', this.#port, { timeoutMs: 2000 });
    return probe.confirmed
      ? { ok: true }
      : { ok: false, reason: `PostgreSQL on port ${this.#port} does not answer: ${probe.detail}` };
  }

  async status(): Promise<ServiceStatus> {
    const record = await this.#o.stateFile.get('postgres');
    const pid = this.#pid ?? record?.pid;
    const port = this.#port ?? record?.port;
    const running =
      pid !== undefined && (await isPidRunning(pid)) && (await this.#postmasterPid()) === pid;
    const base = { service: 'postgres' as const, provider: 'native' as const, since: new Date() };
    if (!running || port === undefined)
      return { ...base, state: 'stopped', ...(port ? { port } : {}) };
    const probe = await probePostgres('127.0.0.1', port, { timeoutMs: 1500 });
    return {
      ...base,
      state: probe.confirmed ? 'healthy' : 'degraded',
      url: displayUrl(this.#url(port)),
      port,
      pid,
      ...(probe.confirmed ? {} : { reason: probe.detail }),
    };
  }

  logs(lines: number): Promise<string[]> {
    return readTail(this.paths.log, lines);
  }
}
