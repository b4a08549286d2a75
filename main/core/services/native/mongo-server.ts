/**
 * A private mongod under `<dataDir>/services/mongo/` (docs/ARCHITECTURE.md#profiles: native profile
 * "local mongod if installed"): loopback only, `--auth` from the first start.
 * The user `nova` (role root on admin) is created through MongoDB's
 * localhost exception — the one window in which an auth-enabled server with
 * no users accepts `createUser` from loopback — and a marker file records
 * that it was done.
 */
import { access, constants, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { NovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probeMongo, type ProbeResult } from '../handshake.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint } from '../types.js';
import { ChildServer } from './child-server.js';
import type { ServerPaths } from './native-server.js';
import { NativeServerBase, type Launched } from './native-server-base.js';
import { readTail, sleep } from './process-utils.js';

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

export class MongoServer extends NativeServerBase {
  readonly service = 'mongo' as const;
  readonly paths: ReturnType<typeof mongoPaths>;
  protected readonly name = 'MongoDB';
  protected readonly program = 'mongod';
  protected readonly pidFile: string;
  readonly #o: MongoServerOptions;

  constructor(options: MongoServerOptions) {
    super(options.stateFile, options.port);
    this.#o = options;
    this.paths = mongoPaths(options.dataDir);
    this.pidFile = this.paths.pidFile;
  }

  protected endpoint(port: number): ServiceEndpoint {
    return {
      service: 'mongo',
      url: `mongodb://${MONGO_USER}:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}/?authSource=admin&directConnection=true`,
      host: '127.0.0.1',
      port,
    };
  }

  protected probe(port: number, timeoutMs: number): Promise<ProbeResult> {
    return probeMongo('127.0.0.1', port, { timeoutMs });
  }

  protected async prepare(): Promise<void> {
    if (!this.#o.binary) {
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
  }

  protected async launch(port: number): Promise<Launched> {
    const binary = this.#o.binary!;
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
    return { child };
  }

  /** A mongod we started has no user yet: create it (an adopted one has it already). */
  protected override async whenUsable(port: number, how: 'adopted' | 'launched'): Promise<void> {
    if (how === 'launched') await this.#ensureUser(port);
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

  /** SIGTERM at once: mongod shuts down cleanly on it. */
  protected async halt(): Promise<void> {
    await this.endProcess(await this.pidToStop(), 0, 15_000, 15_000);
  }
}
