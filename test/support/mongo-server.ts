/**
 * The one place integration tests get a MongoDB from (docs/ARCHITECTURE.md#tests):
 *  1. MONGODB_URL when set (a real server someone provides);
 *  2. else a private `mongod` on a free port with a temp dbpath, when one is on PATH;
 *  3. else the mongo-java-server emulator (test/support/mongo), built once with Maven.
 * Each test file should use its own database name, so one server can be shared.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { osFreePort } from '../../main/core/services/ports.js';

const here = dirname(fileURLToPath(import.meta.url));
const emulatorDir = join(here, 'mongo');
const emulatorJar = join(emulatorDir, 'target', 'nova-mongo-emulator.jar');
const emulatorSources = [
  join(emulatorDir, 'pom.xml'),
  join(emulatorDir, 'src/main/java/nova/testsupport/mongo/Main.java'),
];

export type MongoKind = 'external' | 'mongod' | 'emulator';

export interface MongoTestServer {
  url: string;
  /** Which kind of server this is; the emulator lacks validators, collMod, TTL monitor and transactions. */
  kind: MongoKind;
  stop(): Promise<void>;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, binary)));
}

export interface StartMongoOptions {
  /** Listen on this port (to restart a server where clients expect it); default: a free one. */
  port?: number;
}

export async function startMongo(options: StartMongoOptions = {}): Promise<MongoTestServer> {
  const external = process.env.MONGODB_URL;
  if (external) return { url: external, kind: 'external', stop: async () => {} };
  if (onPath('mongod')) return startMongod(options.port);
  return startEmulator(options.port ?? 0);
}

async function waitForPing(
  url: string,
  child: ChildProcess,
  stderrTail: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`MongoDB test server exited with code ${child.exitCode}: ${stderrTail()}`);
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(
          `MongoDB test server at ${url} did not answer within ${timeoutMs} ms: ${String(err)}; ${stderrTail()}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}

function captureTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return () => tail;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function startMongod(fixedPort?: number): Promise<MongoTestServer> {
  const dbpath = mkdtempSync(join(tmpdir(), 'nova-mongod-'));
  const port = fixedPort ?? (await osFreePort());
  const child = spawn(
    'mongod',
    ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', dbpath, '--quiet'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const tail = captureTail(child);
  const url = `mongodb://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dbpath, { recursive: true, force: true });
  };
  try {
    await waitForPing(url, child, tail, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, kind: 'mongod', stop };
}

function jarIsFresh(): boolean {
  if (!existsSync(emulatorJar)) return false;
  const built = statSync(emulatorJar).mtimeMs;
  return emulatorSources.every((src) => statSync(src).mtimeMs <= built);
}

/**
 * Builds the emulator jar unless it is newer than its sources. Vitest workers
 * run in parallel, so a lock directory makes the others wait for one build;
 * while the lock exists the jar may be half-written, so nobody trusts it then.
 */
async function ensureEmulatorBuilt(): Promise<void> {
  const lock = join(emulatorDir, 'target', '.build-lock');
  if (!existsSync(lock) && jarIsFresh()) return;
  mkdirSync(join(emulatorDir, 'target'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest build belongs to a crashed run.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 300_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for another process to build ${emulatorJar}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (jarIsFresh()) return;
    await promisify(execFile)('bash', [join(emulatorDir, 'build.sh')], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(
        `Building the MongoDB emulator failed (run test/support/mongo/build.sh to see why): ${err.stdout ?? ''}${err.stderr ?? ''}`,
      );
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function startEmulator(listenPort: number): Promise<MongoTestServer> {
  await ensureEmulatorBuilt();
  // Small heap and C1 only: the emulator holds test data and should start fast on 2 cores.
  const child = spawn(
    'java',
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      emulatorJar,
      String(listenPort),
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const tail = captureTail(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`MongoDB emulator did not start within 30 s: ${tail()}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`MongoDB emulator exited with code ${code}: ${tail()}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run java for the MongoDB emulator: ${err.message}`));
    });
  }).catch(async (err: unknown) => {
    await stopChild(child);
    throw err;
  });
  // Not waiting on stdout any more, but it must keep draining so the JVM never blocks on a full pipe.
  child.stdout?.resume();
  return { url: `mongodb://127.0.0.1:${port}`, kind: 'emulator', stop: () => stopChild(child) };
}

/** Why no replica set can be had here without trying (undefined: MONGODB_URL or mongod may provide one). */
export function noReplicaSetReason(): string | undefined {
  if (process.env.MONGODB_URL || onPath('mongod')) return undefined;
  return 'no mongod on PATH and no MONGODB_URL: the MongoDB emulator (mongo-java-server) cannot run a replica set';
}

/** A replica set to test against, or why there is none here. */
export type ReplicaSetServer = (MongoTestServer & { setName: string }) | { skipped: string };

/**
 * A MongoDB replica set for the transaction and member-health paths:
 * MONGODB_URL when it names one, else a private one-node set (`mongod
 * --replSet` + replSetInitiate) when `mongod` is on PATH. The emulator has
 * no replica sets, so otherwise `{ skipped: reason }`.
 */
export async function startMongoReplicaSet(): Promise<ReplicaSetServer> {
  const external = process.env.MONGODB_URL;
  if (external) {
    const client = new MongoClient(external, { serverSelectionTimeoutMS: 5000 });
    try {
      const hello = (await client.db('admin').command({ hello: 1 })) as { setName?: string };
      if (hello.setName)
        return { url: external, kind: 'external', setName: hello.setName, stop: async () => {} };
      return { skipped: 'MONGODB_URL is a standalone server, not a replica set' };
    } finally {
      await client.close();
    }
  }
  const none = noReplicaSetReason();
  if (none) return { skipped: none };
  const setName = 'nova-rs';
  const dbpath = mkdtempSync(join(tmpdir(), 'nova-mongod-rs-'));
  const port = await osFreePort();
  const child = spawn(
    'mongod',
    [
      '--replSet',
      setName,
      '--port',
      String(port),
      '--bind_ip',
      '127.0.0.1',
      '--dbpath',
      dbpath,
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const tail = captureTail(child);
  const stop = async () => {
    await stopChild(child);
    rmSync(dbpath, { recursive: true, force: true });
  };
  try {
    const direct = `mongodb://127.0.0.1:${port}/?directConnection=true`;
    await waitForPing(direct, child, tail, 30_000);
    const client = new MongoClient(direct);
    try {
      await client.db('admin').command({
        replSetInitiate: { _id: setName, members: [{ _id: 0, host: `127.0.0.1:${port}` }] },
      });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const hello = (await client.db('admin').command({ hello: 1 })) as {
          isWritablePrimary?: boolean;
        };
        if (hello.isWritablePrimary) break;
        if (Date.now() > deadline)
          throw new Error(`the replica set did not elect a primary: ${tail()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await client.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `mongodb://127.0.0.1:${port}/?replicaSet=${setName}`,
    kind: 'mongod',
    setName,
    stop,
  };
}
