/**
 * The one place integration tests get Redis from: a PRIVATE `redis-server` on
 * a free loopback port with its own temp dir, no persistence, optionally a
 * password — so tests can stop, kill and restart it without touching the
 * machine's shared Redis on 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { osFreePort } from '../../main/core/services/ports.js';

export interface RedisTestServer {
  url: string;
  port: number;
  password?: string;
  /** Graceful stop (SIGTERM), waits for exit. */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL), as a crash would be; waits for exit. */
  kill(): Promise<void>;
}

export interface StartRedisOptions {
  password?: string;
  /** Reuse a port, e.g. to restart a killed server where clients expect it. Default: a free one. */
  port?: number;
  /** More redis-server arguments (`--replicaof`, `--cluster-enabled`, `--sentinel`…). */
  args?: string[];
  /** A configuration file, given first (a sentinel needs one it can rewrite). */
  configFile?: string;
}

/** Resolves when a RESP `PING` gets any answer (+PONG, or -NOAUTH when a password is set). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(/^(\+PONG|-NOAUTH)/.test(chunk.toString())));
  });
}

async function waitForExit(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function launch(port: number, options: StartRedisOptions): Promise<RedisTestServer> {
  const { password } = options;
  const dir = mkdtempSync(join(tmpdir(), 'nova-redis-'));
  const args = [
    ...(options.configFile ? [options.configFile] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  if (password !== undefined) args.push('--requirepass', password);
  args.push(...(options.args ?? []));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(r, 50, undefined)),
    ]);
    if (failed) {
      cleanup();
      throw new Error(`Cannot run redis-server (is it installed and on PATH?): ${failed.message}`);
    }
    if (child.exitCode !== null) {
      cleanup();
      throw new Error(`redis-server on port ${port} exited with code ${child.exitCode}: ${output}`);
    }
    if (await pingOnce(port)) break;
    if (Date.now() > deadline) {
      await waitForExit(child, 'SIGKILL');
      cleanup();
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${output}`);
    }
  }
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    ...(password !== undefined ? { password } : {}),
    stop: async () => {
      await waitForExit(child, 'SIGTERM');
      cleanup();
    },
    kill: async () => {
      await waitForExit(child, 'SIGKILL');
      cleanup();
    },
  };
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisTestServer> {
  if (options.port !== undefined) return launch(options.port, options);
  // A free port can be taken between our probe and redis-server's bind: retry with another.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await launch(await osFreePort(), options);
    } catch (err) {
      lastError = err;
      if (!/Address already in use|exited with code/.test(String(err))) throw err;
    }
  }
  throw lastError;
}
