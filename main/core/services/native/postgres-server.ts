/**
 * A private PostgreSQL under `<dataDir>/services/postgres/` (docs/ARCHITECTURE.md#profiles: native
 * profile): created once (postgres-cluster.ts), started and stopped with
 * pg_ctl on a loopback port, database `nova` created on first start, the
 * server log kept beside the cluster. When we are root the programs run as
 * an unprivileged OS user (see os-user.ts).
 */
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { NovaError, isNovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probePostgres, type ProbeResult } from '../handshake.js';
import { runCommand } from '../run-command.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint } from '../types.js';
import { NativeServerBase, readPidFile, type Launched } from './native-server-base.js';
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
import { isPidRunning, waitForExit } from './process-utils.js';

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

export class PostgresServer extends NativeServerBase {
  readonly service = 'postgres' as const;
  readonly paths: PostgresPaths;
  protected readonly name = 'PostgreSQL';
  protected readonly program = 'PostgreSQL';
  protected readonly pidFile: string;
  readonly #o: PostgresServerOptions;

  constructor(options: PostgresServerOptions) {
    super(options.stateFile, options.port);
    this.#o = options;
    this.paths = postgresPaths(options.dataDir);
    this.pidFile = path.join(this.paths.data, 'postmaster.pid');
  }

  protected endpoint(port: number): ServiceEndpoint {
    return {
      service: 'postgres',
      url: `postgres://${POSTGRES_SUPERUSER}:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}/${POSTGRES_DATABASE}`,
      host: '127.0.0.1',
      port,
    };
  }

  protected probe(port: number, timeoutMs: number): Promise<ProbeResult> {
    return probePostgres('127.0.0.1', port, { timeoutMs });
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

  protected override beforeStart(): void {
    for (const p of [this.paths.data, this.paths.log]) assertShellSafe(p);
  }

  protected async prepare(): Promise<void> {
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
  }

  /** pg_ctl start; the server then runs on its own (not our child), its pid in postmaster.pid. */
  protected async launch(port: number): Promise<Launched> {
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
    return { pid: await readPidFile(this.pidFile) };
  }

  /** Database `nova` exists (and our password works), whether we started the server or adopted it. */
  protected override async whenUsable(port: number): Promise<void> {
    await this.#ensureDatabase(port);
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

  /** pg_ctl stop -m fast; -m immediate when it will not stop fast. */
  protected async halt(): Promise<void> {
    const pid = (await readPidFile(this.pidFile)) ?? this.pid();
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
  }
}
