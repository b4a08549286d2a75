/**
 * A private mongod under `<dataDir>/services/mongo/` (SPEC §2 native profile
 * "local mongod if installed"): loopback only, `--auth` from the first start.
 * The user `nova` (role root on admin) is created through MongoDB's
 * localhost exception — the one window in which an auth-enabled server with
 * no users accepts `createUser` from loopback — and a marker file records
 * that it was done.
 */
import { redactSecrets } from '../../config/redact.js';
import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { NovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probeMongo } from '../handshake.js';
import { choosePort } from '../ports.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint, ServiceStatus } from '../types.js';
import { ChildServer, terminatePid } from './child-server.js';
import { type NativeServer, type ServerPaths, type UnexpectedExit } from './native-server.js';
import { isPidRunning, readTail, sleep } from './process-utils.js';

export const MONGO_USER = 'nova';

export interface MongoServerOptions {
  dataDir: string;
  password: string;
  binary: FoundBinary | null;
  stateFile: ServiceStateFile;
  port?: number;
  readyTimeoutMs?: number;
  /** Keep the server running after this process exits (see ChildServer.spawn). */
  detached?: boolean;
}

export function mongoPaths(
  dataDir: string,
): ServerPaths & { pidFile: string; stdout: string; userMarker: string } {
  const base = path.join(dataDir, 'services', 'mongo');
  return {
    base,
    data: path.join(base, 'data'),
    log: path.join(base, 'mongod.log'),
    stdout: path.join(base, 'mongod.stdout.log'),
    pidFile: path.join(base, 'mongod.pid'),
    userMarker: path.join(base, '.user-created'),
  };
}

export class MongoServer implements NativeServer {
  readonly service = 'mongo' as const;
  readonly paths: ReturnType<typeof mongoPaths>;
  readonly #o: MongoServerOptions;
  #child: ChildServer | undefined;
  #adoptedPid: number | undefined;
  #port: number | undefined;
  readonly #exitListeners = new Set<(exit: UnexpectedExit) => void>();

  constructor(options: MongoServerOptions) {
    this.#o = options;
    this.paths = mongoPaths(options.dataDir);
  }

  pid(): number | undefined {
    return this.#child?.pid ?? this.#adoptedPid;
  }

  #endpoint(port: number): ServiceEndpoint {
    return {
      service: 'mongo',
      url: `mongodb://${MONGO_USER}:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}/?authSource=admin&directConnection=true`,
      host: '127.0.0.1',
      port,
    };
  }

  async #pidFromFile(): Promise<number | undefined> {
    const pid = Number((await readFile(this.paths.pidFile, 'utf8').catch(() => '')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  }

  async #tryAdopt(): Promise<ServiceEndpoint | null> {
    const record = await this.#o.stateFile.get('mongo');
    if (!record?.pid || !(await isPidRunning(record.pid))) return null;
    if ((await this.#pidFromFile()) !== record.pid) return null;
    if (!(await probeMongo('127.0.0.1', record.port, { timeoutMs: 1000 })).confirmed) return null;
    this.#adoptedPid = record.pid;
    this.#port = record.port;
    return this.#endpoint(record.port);
  }

  async start(): Promise<ServiceEndpoint> {
    if (this.#child && this.#child.exited === undefined && this.#port !== undefined)
      return this.#endpoint(this.#port);
    const adopted = await this.#tryAdopt();
    if (adopted) return adopted;
    const binary = this.#o.binary;
    if (!binary) {
      throw new NovaError(
        'BINARY_MISSING',
        'mongod not found; the native MongoDB profile needs it.',
        {
          fix: `${installHint('mongod')}, or use the docker or external profile for MongoDB (without it, documents can live in PostgreSQL JSONB).`,
        },
      );
    }
    try {
      await mkdir(this.paths.data, { recursive: true, mode: 0o700 });
      await access(this.paths.base, constants.W_OK);
    } catch (err) {
      throw new NovaError(
        'DATA_DIR_NOT_WRITABLE',
        `Cannot prepare the MongoDB directory ${this.paths.base}: ${(err as Error).message}.`,
        {
          fix: `Make ${this.#o.dataDir} writable by this user, or choose another data directory with --data-dir.`,
          cause: err,
        },
      );
    }
    const record = await this.#o.stateFile.get('mongo');
    const port = await choosePort({
      service: 'mongo',
      fixed: this.#o.port,
      remembered: record?.port,
    });
    const args = [
      '--dbpath',
      this.paths.data,
      '--port',
      String(port),
      '--bind_ip',
      '127.0.0.1',
      '--auth',
      '--logpath',
      this.paths.log,
      '--logappend',
      '--pidfilepath',
      this.paths.pidFile,
    ];
    let child: ChildServer;
    try {
      child = ChildServer.spawn('mongo', binary.path, args, {
        cwd: this.paths.base,
        logFile: this.paths.stdout,
        detached: this.#o.detached === true,
      });
    } catch (err) {
      throw new NovaError('BINARY_MISSING', `mongod could not be started from ${binary.path}.`, {
        fix: `${installHint('mongod')}.`,
        cause: err,
      });
    }
    await this.#waitReady(child, port);
    this.#child = child;
    this.#adoptedPid = undefined;
    this.#port = port;
    child.onUnexpectedExit((exit) => {
      for (const l of this.#exitListeners) l(exit);
    });
    await this.#ensureUser(port);
    await this.#o.stateFile.update('mongo', () => ({
      port,
      pid: child.pid,
      startedAt: new Date().toISOString(),
    }));
    return this.#endpoint(port);
  }

  async #waitReady(child: ChildServer, port: number): Promise<void> {
    const deadline = Date.now() + (this.#o.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (child.exited) {
        const log = [
          ...(await readTail(this.paths.stdout, 6)),
          ...(await readTail(this.paths.log, 6)),
        ].join('\n');
        const inUse = /Address already in use/i.test(log);
        throw new NovaError(
          inUse ? 'PORT_IN_USE' : 'SERVICE_UNAVAILABLE',
          `mongod exited during start-up (code ${String(child.exited.code)}).${log ? `\n${log}` : ''}`,
          {
            fix: inUse
              ? `Stop the program using port ${port}, or let Nova choose a free port.`
              : `Read ${this.paths.log}.`,
          },
        );
      }
      if ((await probeMongo('127.0.0.1', port, { timeoutMs: 500 })).confirmed) return;
      await sleep(100);
    }
    await child.waitOrKill(0, 5000);
    throw new NovaError('TIMEOUT', `mongod did not answer on 127.0.0.1:${port} in time.`, {
      fix: `Read ${this.paths.log}.`,
    });
  }

  /** Creates user `nova` once, through the localhost exception. */
  async #ensureUser(port: number): Promise<void> {
    const created = await access(this.paths.userMarker).then(
      () => true,
      () => false,
    );
    if (created) return;
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
      serverSelectionTimeoutMS: 5000,
    });
    try {
      await client.connect();
      await client.db('admin').command({
        createUser: MONGO_USER,
        pwd: this.#o.password,
        roles: [{ role: 'root', db: 'admin' }],
      });
    } catch (err) {
      // 51003: user already exists (marker lost) — fine, the password is ours.
      if ((err as { code?: number }).code !== 51003) {
        throw new NovaError(
          'SERVICE_UNAVAILABLE',
          `Could not create the MongoDB user "${MONGO_USER}": ${(err as Error).message}.`,
          {
            fix: `If this data directory was used by another MongoDB before, move ${this.paths.data} aside to start fresh.`,
            cause: err,
          },
        );
      }
    } finally {
      await client.close().catch(() => undefined);
    }
    await writeFile(this.paths.userMarker, `${new Date().toISOString()}\n`, { mode: 0o600 });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    const pid = this.pid() ?? (await this.#o.stateFile.get('mongo'))?.pid;
    if (child)
      await child.waitOrKill(0, 15_000); // SIGTERM at once: mongod shuts down cleanly on it
    else if (pid !== undefined && (await this.#pidFromFile()) === pid)
      await terminatePid(pid, 15_000);
    this.#child = undefined;
    this.#adoptedPid = undefined;
    await this.#o.stateFile.update('mongo', (r) => (r ? { port: r.port } : undefined));
  }

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const pid = this.pid();
    if (pid === undefined || this.#port === undefined)
      return { ok: false, reason: 'MongoDB is not running' };
    if (this.#child?.exited || !(await isPidRunning(pid)))
      return { ok: false, reason: `mongod (pid ${pid}) exited unexpectedly` };
    const probe = await probeMongo('127.0.0.1', this.#port, { timeoutMs: 2000 });
    return probe.confirmed
      ? { ok: true }
      : { ok: false, reason: `MongoDB on port ${this.#port} does not answer: ${probe.detail}` };
  }

  async status(): Promise<ServiceStatus> {
    const record = await this.#o.stateFile.get('mongo');
    const pid = this.pid() ?? record?.pid;
    const port = this.#port ?? record?.port;
    const base = { service: 'mongo' as const, provider: 'native' as const, since: new Date() };
    const running =
      pid !== undefined && (await isPidRunning(pid)) && (await this.#pidFromFile()) === pid;
    if (!running || port === undefined)
      return { ...base, state: 'stopped', ...(port ? { port } : {}) };
    const probe = await probeMongo('127.0.0.1', port, { timeoutMs: 1500 });
    return {
      ...base,
      state: probe.confirmed ? 'healthy' : 'degraded',
      url: redactSecrets(this.#endpoint(port).url),
      port,
      pid,
      ...(probe.confirmed ? {} : { reason: probe.detail }),
    };
  }

  logs(lines: number): Promise<string[]> {
    return readTail(this.paths.log, lines);
  }

  onUnexpectedExit(listener: (exit: UnexpectedExit) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }
}
