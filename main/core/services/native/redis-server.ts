/**
 * A private redis-server under `<dataDir>/services/redis/`: a generated
 * config file (loopback only, password, AOF persistence, our own log and
 * pid files), spawned as our child (see child-server.ts). Stopped with an
 * authenticated SHUTDOWN so Redis saves cleanly, with signals as fallback.
 */
import { redactSecrets } from '../../config/redact.js';
import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { NovaError } from '../../errors.js';
import { installHint, type FoundBinary } from '../binaries.js';
import { probeRedis } from '../handshake.js';
import { choosePort } from '../ports.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint, ServiceStatus } from '../types.js';
import { ChildServer, terminatePid } from './child-server.js';
import { type NativeServer, type ServerPaths, type UnexpectedExit } from './native-server.js';
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

export class RedisServer implements NativeServer {
  readonly service = 'redis' as const;
  readonly paths: ReturnType<typeof redisPaths>;
  readonly #o: RedisServerOptions;
  #child: ChildServer | undefined;
  /** Pid of a server adopted from a previous run (not our child). */
  #adoptedPid: number | undefined;
  #port: number | undefined;
  readonly #exitListeners = new Set<(exit: UnexpectedExit) => void>();

  constructor(options: RedisServerOptions) {
    this.#o = options;
    this.paths = redisPaths(options.dataDir);
  }

  pid(): number | undefined {
    return this.#child?.pid ?? this.#adoptedPid;
  }

  #endpoint(port: number): ServiceEndpoint {
    return {
      service: 'redis',
      url: `redis://:${encodeURIComponent(this.#o.password)}@127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
    };
  }

  async #pidFromFile(): Promise<number | undefined> {
    const pid = Number((await readFile(this.paths.pidFile, 'utf8').catch(() => '')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  }

  /** Adopt only when the recorded pid is alive, our pid file names it, and the port answers with OUR password. */
  async #tryAdopt(): Promise<ServiceEndpoint | null> {
    const record = await this.#o.stateFile.get('redis');
    if (!record?.pid || !(await isPidRunning(record.pid))) return null;
    if ((await this.#pidFromFile()) !== record.pid) return null;
    const probe = await probeRedis('127.0.0.1', record.port, {
      password: this.#o.password,
      timeoutMs: 1000,
    });
    if (!probe.confirmed || probe.authRequired) return null;
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
    const record = await this.#o.stateFile.get('redis');
    const port = await choosePort({
      service: 'redis',
      fixed: this.#o.port,
      remembered: record?.port,
    });
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
    this.#child = child;
    this.#adoptedPid = undefined;
    this.#port = port;
    child.onUnexpectedExit((exit) => {
      for (const l of this.#exitListeners) l(exit);
    });
    await this.#o.stateFile.update('redis', () => ({
      port,
      pid: child.pid,
      startedAt: new Date().toISOString(),
    }));
    return this.#endpoint(port);
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
      const probe = await probeRedis('127.0.0.1', port, {
        password: this.#o.password,
        timeoutMs: 500,
      });
      if (probe.confirmed && !probe.authRequired) return;
      await sleep(50);
    }
    await child.waitOrKill(0, 2000);
    throw new NovaError('TIMEOUT', `redis-server did not answer on 127.0.0.1:${port} in time.`, {
      fix: `Read ${this.paths.log}.`,
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    const pid = this.pid() ?? (await this.#o.stateFile.get('redis'))?.pid;
    child?.markStopping();
    if (pid !== undefined && (await isPidRunning(pid)) && this.#port !== undefined) {
      await sendAndClose(this.#port, [['AUTH', this.#o.password], ['SHUTDOWN']], 3000);
    }
    if (child) await child.waitOrKill(10_000, 5000);
    else if (pid !== undefined && (await this.#pidFromFile()) === pid)
      await terminatePid(pid, 10_000);
    this.#child = undefined;
    this.#adoptedPid = undefined;
    await this.#o.stateFile.update('redis', (r) => (r ? { port: r.port } : undefined));
  }

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const pid = this.pid();
    if (pid === undefined || this.#port === undefined)
      return { ok: false, reason: 'Redis is not running' };
    if (this.#child?.exited || !(await isPidRunning(pid)))
      return { ok: false, reason: `redis-server (pid ${pid}) exited unexpectedly` };
    const probe = await probeRedis('127.0.0.1', this.#port, {
      password: this.#o.password,
      timeoutMs: 2000,
    });
    if (!probe.confirmed)
      return { ok: false, reason: `Redis on port ${this.#port} does not answer: ${probe.detail}` };
    if (probe.authRequired)
      return { ok: false, reason: `Redis on port ${this.#port} refuses the stored password` };
    return { ok: true };
  }

  async status(): Promise<ServiceStatus> {
    const record = await this.#o.stateFile.get('redis');
    const pid = this.pid() ?? record?.pid;
    const port = this.#port ?? record?.port;
    const base = { service: 'redis' as const, provider: 'native' as const, since: new Date() };
    const running =
      pid !== undefined && (await isPidRunning(pid)) && (await this.#pidFromFile()) === pid;
    if (!running || port === undefined)
      return { ...base, state: 'stopped', ...(port ? { port } : {}) };
    const probe = await probeRedis('127.0.0.1', port, {
      password: this.#o.password,
      timeoutMs: 1500,
    });
    const ok = probe.confirmed && !probe.authRequired;
    return {
      ...base,
      state: ok ? 'healthy' : 'degraded',
      url: redactSecrets(this.#endpoint(port).url),
      port,
      pid,
      ...(ok ? {} : { reason: probe.detail }),
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
