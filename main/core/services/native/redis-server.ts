/**
 * A private redis-server under `<dataDir>/services/redis/`: a generated
 * config file (loopback only, password, AOF persistence, our own log and
 * pid files), spawned as our child (see child-server.ts). Stopped with an
 * authenticated SHUTDOWN so Redis saves cleanly, with signals as fallback.
 */
import { access, constants, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { NovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probeRedis, type ProbeResult } from '../handshake.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint } from '../types.js';
import { ChildServer } from './child-server.js';
import type { ServerPaths } from './native-server.js';
import { NativeServerBase, type Launched } from './native-server-base.js';
import { isPidRunning, readTail, sleep } from './process-utils.js';

export interface RedisServerOptions {
  dataDir: string;
  password: string;
  binary: FoundBinary | null;
  stateFile: ServiceStateFile;
  port?: number;
  /** How long to wait for the server to answer after spawning (default 15 s). */
  readyTimeoutMs?: number;
  /** Keep the server running after this process exits (see ChildServer.spawn). */
  detached?: boolean;
}

export function redisPaths(dataDir: string): ServerPaths & { conf: string; pidFile: string } {
  const base = path.join(dataDir, 'services', 'redis');
  return {
    base,
    data: path.join(base, 'data'),
    log: path.join(base, 'redis.log'),
    conf: path.join(base, 'redis.conf'),
    pidFile: path.join(base, 'redis.pid'),
  };
}

/** A value for redis.conf: double-quoted with the escapes Redis' config parser understands. */
function confString(value: string): string {
  if (/[\r\n\0]/.test(value)) {
    throw new NovaError('INVALID_ARGUMENT', 'A Redis setting may not contain a line break.', {
      fix: 'Choose a data directory whose path has no line breaks.',
    });
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function redisConfig(
  p: ReturnType<typeof redisPaths>,
  port: number,
  password: string,
): string {
  return [
    '# Written by Nova on every start; edits are overwritten.',
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `requirepass ${confString(password)}`,
    `dir ${confString(p.data)}`,
    'appendonly yes',
    `logfile ${confString(p.log)}`,
    `pidfile ${confString(p.pidFile)}`,
    'daemonize no',
    '',
  ].join('\n');
}

/** Sends RESP commands and resolves when the server closes the connection or after `timeoutMs`. */
function sendAndClose(port: number, commands: string[][], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    socket.once('connect', () =>
      socket.write(
        commands
          .map(
            (c) =>
              `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
          )
          .join(''),
      ),
    );
    socket.on('data', () => undefined);
    socket.once('error', done);
    socket.once('close', done);
  });
}

export class RedisServer extends NativeServerBase {
  readonly service = 'redis' as const;
  readonly paths: ReturnType<typeof redisPaths>;
  protected readonly name = 'Redis';
  protected readonly program = 'redis-server';
  protected readonly pidFile: string;
  readonly #o: RedisServerOptions;

  constructor(options: RedisServerOptions) {
    super(options.stateFile, options.port);
    this.#o = options;
    this.paths = redisPaths(options.dataDir);
    this.pidFile = this.paths.pidFile;
  }

  protected endpoint(port: number): ServiceEndpoint {
    return {
      service: 'redis',
      url: `redis://:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
    };
  }

  /** Authenticates with OUR password: a Redis that wants another one is not ours. */
  protected probe(port: number, timeoutMs: number): Promise<ProbeResult> {
    return probeRedis('127.0.0.1', port, { password: this.#o.password, timeoutMs });
  }

  protected async prepare(): Promise<void> {
    if (!this.#o.binary) {
      throw new NovaError(
        'BINARY_MISSING',
        'redis-server not found; the native Redis profile needs it.',
        {
          fix: `${installHint('redis-server')}, or choose the docker or external profile for Redis.`,
        },
      );
    }
    try {
      await mkdir(this.paths.data, { recursive: true, mode: 0o700 });
      await access(this.paths.base, constants.W_OK);
    } catch (err) {
      throw new NovaError(
        'DATA_DIR_NOT_WRITABLE',
        `Cannot prepare the Redis directory ${this.paths.base}: ${(err as Error).message}.`,
        {
          fix: `Make ${this.#o.dataDir} writable by this user, or choose another data directory with --data-dir.`,
          cause: err,
        },
      );
    }
  }

  protected async launch(port: number): Promise<Launched> {
    const binary = this.#o.binary!;
    // The file holds the password: private, rewritten each start so a
    // rotated password or a new port takes effect.
    await writeFile(this.paths.conf, redisConfig(this.paths, port, this.#o.password), {
      mode: 0o600,
    });
    let child: ChildServer;
    try {
      child = ChildServer.spawn('redis', binary.path, [this.paths.conf], {
        cwd: this.paths.base,
        logFile: this.paths.log,
        detached: this.#o.detached === true,
      });
    } catch (err) {
      throw new NovaError(
        'BINARY_MISSING',
        `redis-server could not be started from ${binary.path}.`,
        {
          fix: `${installHint('redis-server')}.`,
          cause: err,
        },
      );
    }
    await this.#waitReady(child, port);
    return { child };
  }

  async #waitReady(child: ChildServer, port: number): Promise<void> {
    const deadline = Date.now() + (this.#o.readyTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if (child.exited) {
        const log = (await readTail(this.paths.log, 12)).join('\n');
        const tail = log ? `\nLog (${this.paths.log}):\n${log}` : '';
        if (/Address already in use/i.test(log)) {
          throw new NovaError(
            'PORT_IN_USE',
            `Redis could not listen on 127.0.0.1:${port}: the port is in use.${tail}`,
            {
              fix: `Stop the program using port ${port}, or let Nova choose a free port.`,
            },
          );
        }
        throw new NovaError(
          'SERVICE_UNAVAILABLE',
          `redis-server exited during start-up (code ${String(child.exited.code)}).${tail}`,
          {
            fix: `Read ${this.paths.log}; the generated configuration is ${this.paths.conf}.`,
          },
        );
      }
      const probe = await this.probe(port, 500);
      if (probe.confirmed && !probe.authRequired) return;
      await sleep(50);
    }
    await child.waitOrKill(0, 2000);
    throw new NovaError('TIMEOUT', `redis-server did not answer on 127.0.0.1:${port} in time.`, {
      fix: `Read ${this.paths.log}.`,
    });
  }

  /** An authenticated SHUTDOWN first, so Redis saves cleanly; signals only as the fallback. */
  protected async halt(): Promise<void> {
    const pid = await this.pidToStop();
    this.child?.markStopping();
    if (pid !== undefined && (await isPidRunning(pid)) && this.port !== undefined) {
      await sendAndClose(this.port, [['AUTH', this.#o.password], ['SHUTDOWN']], 3000);
    }
    await this.endProcess(pid, 10_000, 5000, 10_000);
  }
}
