/**
 * A private PostgreSQL under `<dataDir>/services/postgres/` (SPEC §2 native
 * profile): created once (postgres-cluster.ts), started and stopped with
 * pg_ctl on a loopback port, database `nova` created on first start, the
 * server log kept beside the cluster. When we are root the programs run as
 * an unprivileged OS user (see os-user.ts).
 */
import { access, constants, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { NovaError, isNovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probePostgres } from '../handshake.js';
import { choosePort } from '../ports.js';
import { runCommand } from '../run-command.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint, ServiceStatus } from '../types.js';
import { redactSecrets } from '../../config/redact.js';
import { type NativeServer } from './native-server.js';
import { assertUserCanWrite, chownTree, grantTraverse, isRoot, type OsUser } from './os-user.js';
import {
  assertShellSafe,
  checkCluster,
  explainStartFailure,
  initCluster,
  postgresOptions,
  postgresPaths,
  POSTGRES_DATABASE,
  POSTGRES_SUPERUSER,
  type PostgresPaths,
} from './postgres-cluster.js';
import { isPidRunning, readTail, waitForExit } from './process-utils.js';

export { POSTGRES_DATABASE, POSTGRES_SUPERUSER, postgresPaths } from './postgres-cluster.js';

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

export class PostgresServer implements NativeServer {
  readonly service = 'postgres' as const;
  readonly paths: PostgresPaths;
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
    for (const p of [this.paths.data, this.paths.log]) assertShellSafe(p);
    const adopted = await this.#tryAdopt();
    if (adopted) {
      await this.#ensureDatabase(adopted.port);
      return adopted;
    }
    this.#requireBinaries();
    if (isRoot() && !this.#o.osUser) {
      // initdb/postgres would refuse anyway, with a less helpful message.
      throw new NovaError(
        'INVALID_ARGUMENT',
        'Nova runs as root and no unprivileged OS user was given for PostgreSQL, which refuses to run as root.',
        {
          fix: 'Leave the PostgreSQL OS user on automatic (the "postgres" user) or name an unprivileged user.',
        },
      );
    }
    await this.#prepareDirectories();
    if ((await checkCluster(this.paths.data, this.#o.pgCtl?.version)) === 'empty') {
      await initCluster({
        initdb: this.#o.initdb!,
        paths: this.paths,
        password: this.#o.password,
        ...(this.#o.osUser ? { osUser: this.#o.osUser } : {}),
      });
    }

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
      throw await explainStartFailure(err, port, this.paths);
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
      url: redactSecrets(this.#url(port)),
      port,
      pid,
      ...(probe.confirmed ? {} : { reason: probe.detail }),
    };
  }

  logs(lines: number): Promise<string[]> {
    return readTail(this.paths.log, lines);
  }
}
