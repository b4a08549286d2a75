/**
 * The native provider against the real programs: private PostgreSQL and
 * Redis on free loopback ports, next to (never instead of) the machine's
 * own servers on 5432/6379. One data dir — one cluster — is shared by the
 * tests in this file, which run in order: start, crash and recover, adopt
 * after a "crash" of Nova itself, stop, restart, misconfigurations.
 */
import {
  appendFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCredentials } from '../../../main/core/config/credentials.js';
import { configSchema } from '../../../main/core/config/schema.js';
import { isNovaError, type NovaError } from '../../../main/core/errors.js';
import { probePostgres, probeRedis } from '../../../main/core/services/handshake.js';
import { NativeProvider } from '../../../main/core/services/native/native-provider.js';
import { isRoot } from '../../../main/core/services/native/os-user.js';
import { isPidRunning } from '../../../main/core/services/native/process-utils.js';
import { isPortFree } from '../../../main/core/services/ports.js';
import { ServiceManager } from '../../../main/core/services/service-manager.js';
import { ServiceStateFile } from '../../../main/core/services/service-state-file.js';
import type { StateChange } from '../../../main/core/services/service-state-machine.js';
import { descendants, processUid, silentListener, waitUntil } from './helpers.js';

let dataDir: string;
let scratch: string;
const managers: ServiceManager[] = [];

async function newManager(
  options: Partial<Parameters<typeof ServiceManager.create>[0]> = {},
): Promise<ServiceManager> {
  const config = configSchema.parse({ NOVA_DATA_DIR: dataDir, NOVA_PROFILE: 'native' });
  const m = await ServiceManager.create({
    config,
    supervisor: { pollIntervalMs: 200, initialDelayMs: 200 },
    ...options,
  });
  managers.push(m);
  return m;
}

async function caught(p: Promise<unknown>): Promise<NovaError> {
  try {
    await p;
  } catch (err) {
    return err as NovaError;
  }
  throw new Error('expected a failure');
}

async function pgQuery(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** A data dir directly under the temp dir, so the postgres OS user can reach it when we are root. */
const extraDirs: string[] = [];
async function reachableDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nova-native-x-'));
  extraDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'nova-native-'));
  scratch = await mkdtemp(path.join(tmpdir(), 'nova-native-scratch-'));
});

afterAll(async () => {
  // Whatever happened above, leave no server behind.
  for (const m of managers) await m.shutdown().catch(() => undefined);
  const records = await new ServiceStateFile(dataDir).read().catch(() => ({}));
  for (const r of Object.values(records))
    if (r?.pid && (await isPidRunning(r.pid))) process.kill(r.pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
  for (const dir of extraDirs) await rm(dir, { recursive: true, force: true });
});

describe('native services (shared cluster, in order)', () => {
  let manager: ServiceManager;
  let pgUrl: string;
  let redisUrl: string;

  it('startAll brings up private PostgreSQL and Redis on free loopback ports', async () => {
    manager = await newManager();
    const { endpoints, failed } = await manager.startAll();
    expect(failed).toEqual([]);
    const pgEp = endpoints.postgres!;
    const redisEp = endpoints.redis!;
    expect(pgEp.host).toBe('127.0.0.1');
    expect(pgEp.port).not.toBe(5432);
    expect(redisEp.port).not.toBe(6379);
    pgUrl = pgEp.url;
    redisUrl = redisEp.url;

    const creds = await loadCredentials(dataDir);
    expect(pgUrl).toContain(creds.postgresPassword);
    const rows = await pgQuery(
      pgUrl,
      'SELECT current_user AS u, current_database() AS d, version() AS v',
    );
    expect(rows[0]).toMatchObject({ u: 'nova', d: 'nova' });
    expect(String(rows[0]?.v)).toMatch(/^PostgreSQL 15/);

    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.set('nova:test', 'ok');
      expect(await redis.get('nova:test')).toBe('ok');
    } finally {
      redis.disconnect();
    }
    // mongod is not installed here: documents fall back to PostgreSQL JSONB (docs/ARCHITECTURE.md#profiles), nothing is started.
    const mongo = await manager.status('mongo');
    if (!(await new NativeProvider({ dataDir, credentials: creds }).binaries()).mongod) {
      expect(endpoints.mongo).toBeUndefined();
      expect(mongo).toMatchObject({
        state: 'healthy',
        provider: 'native',
        reason: expect.stringContaining('JSONB'),
      });
    }
  });

  it('the servers demand the generated passwords', async () => {
    const wrongPg = pgUrl.replace(/:([0-9a-f]{48})@/, ':wrong@');
    await expect(pgQuery(wrongPg, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    const port = Number(new URL(redisUrl).port);
    expect(await probeRedis('127.0.0.1', port)).toMatchObject({
      confirmed: true,
      authRequired: true,
    });
    expect(await probeRedis('127.0.0.1', port, { password: 'wrong' })).toMatchObject({
      confirmed: true,
      authRequired: true,
    });
  });

  it.runIf(isRoot())(
    'as root, PostgreSQL runs as the unprivileged postgres OS user and the cluster is owned by it',
    async () => {
      const pid = (await manager.status('postgres')).pid!;
      const { stdout } = await execa('id', ['-u', 'postgres']);
      expect(await processUid(pid)).toBe(Number(stdout));
      expect(await processUid(pid)).not.toBe(0);
    },
  );

  it("the machine's own PostgreSQL and Redis still answer on 5432 and 6379", async () => {
    expect((await probePostgres('127.0.0.1', 5432)).confirmed).toBe(true);
    expect((await probeRedis('127.0.0.1', 6379)).confirmed).toBe(true);
    const rows = await pgQuery('postgres://postgres@127.0.0.1:5432/postgres', 'SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });

  it('status shows redacted URLs, ports and pids, never the passwords', async () => {
    const creds = await loadCredentials(dataDir);
    const statuses = await manager.statusAll();
    const pgStatus = statuses.find((s) => s.service === 'postgres')!;
    expect(pgStatus).toMatchObject({
      state: 'healthy',
      provider: 'native',
      port: Number(new URL(pgUrl).port),
      url: expect.stringContaining('nova:***@127.0.0.1'),
    });
    expect(pgStatus.pid).toBeGreaterThan(1);
    const text = JSON.stringify(statuses);
    expect(text).not.toContain(creds.postgresPassword);
    expect(text).not.toContain(creds.redisPassword);
    const conf = await stat(path.join(dataDir, 'services', 'redis', 'redis.conf'));
    expect(conf.mode & 0o777).toBe(0o600); // holds requirepass
  });

  it('kill -9 of the postmaster: degraded, restarted by the supervisor, healthy again on the same URL', async () => {
    const changes: StateChange[] = [];
    manager.on('state-changed', (c) => changes.push(c));
    const oldPid = (await manager.status('postgres')).pid!;
    process.kill(oldPid, 'SIGKILL');
    await waitUntil(
      () => changes.some((c) => c.service === 'postgres' && c.to === 'healthy'),
      20_000,
      'postgres to recover',
    );
    const pgChanges = changes
      .filter((c) => c.service === 'postgres')
      .map((c) => `${c.from}>${c.to}`);
    expect(pgChanges).toEqual(['healthy>degraded', 'degraded>healthy']);
    expect(changes.find((c) => c.to === 'degraded')?.reason).toMatch(
      /exited unexpectedly|does not answer/,
    );
    const newPid = (await manager.status('postgres')).pid!;
    expect(newPid).not.toBe(oldPid);
    expect(manager.endpoints().postgres?.url).toBe(pgUrl); // same port: the URL the data layer holds still works
    expect((await pgQuery(pgUrl, 'SELECT 1 AS one'))[0]?.one).toBe(1);
  });

  it('kill -9 of redis-server: the exit is noticed, degraded → healthy', async () => {
    const changes: StateChange[] = [];
    manager.on('state-changed', (c) => c.service === 'redis' && changes.push(c));
    const oldPid = (await manager.status('redis')).pid!;
    process.kill(oldPid, 'SIGKILL');
    await waitUntil(() => changes.some((c) => c.to === 'healthy'), 15_000, 'redis to recover');
    expect(changes.map((c) => c.to)).toEqual(['degraded', 'healthy']);
    // The exit is seen either by the child's exit event (with its signal) or,
    // when the pid poll gets there first on a loaded machine, without it.
    expect(changes[0]?.reason).toMatch(/exited unexpectedly( \(signal SIGKILL\))?$/);
    expect((await manager.status('redis')).pid).not.toBe(oldPid);
    expect(manager.endpoints().redis?.url).toBe(redisUrl);
  });

  it('after Nova itself crashes, a new manager adopts the running servers instead of starting duplicates', async () => {
    const before = await manager.statusAll();
    // Simulated crash: the old manager is dropped without stopping anything
    // (its supervisor dies with the process).
    manager.supervisor?.close();
    const next = await newManager();
    const { endpoints, failed } = await next.startAll();
    expect(failed).toEqual([]);
    const after = await next.statusAll();
    for (const service of ['postgres', 'redis'] as const) {
      expect(after.find((s) => s.service === service)?.pid).toBe(
        before.find((s) => s.service === service)?.pid,
      );
    }
    expect(endpoints.postgres?.url).toBe(pgUrl);
    expect(endpoints.redis?.url).toBe(redisUrl);
    manager = next;
  });

  it('stopAll stops every server and leaves no process behind', async () => {
    const pgPid = (await manager.status('postgres')).pid!;
    const redisPid = (await manager.status('redis')).pid!;
    const pgChildren = await descendants(pgPid);
    expect(pgChildren.length).toBeGreaterThan(0); // checkpointer, walwriter…
    await manager.stopAll();
    for (const pid of [pgPid, redisPid, ...pgChildren]) expect(await isPidRunning(pid)).toBe(false);
    expect((await manager.statusAll()).map((s) => s.state)).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
    expect(await isPortFree(Number(new URL(pgUrl).port))).toBe(true);
    const records = await new ServiceStateFile(dataDir).read();
    expect(records.postgres?.pid).toBeUndefined();
    expect(records.redis?.pid).toBeUndefined();
    expect(records.postgres?.port).toBe(Number(new URL(pgUrl).port)); // remembered for next time
  });

  it('a later start reuses the remembered ports (stable URLs) and keeps the data', async () => {
    manager = await newManager();
    await manager.startAll();
    expect(manager.endpoints().postgres?.url).toBe(pgUrl);
    expect(manager.endpoints().redis?.url).toBe(redisUrl);
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.get('nova:test')).toBe('ok'); // AOF kept it across stop/start
    redis.disconnect();
    await manager.stopAll();
  });

  it('when the remembered port has been taken meanwhile, another free port is chosen', async () => {
    const redisPort = Number(new URL(redisUrl).port);
    const squatter = await silentListener(redisPort);
    try {
      manager = await newManager();
      const ep = await manager.start('redis');
      expect(ep?.port).not.toBe(redisPort);
      expect(
        (
          await probeRedis('127.0.0.1', ep!.port, {
            password: (await loadCredentials(dataDir)).redisPassword,
          })
        ).confirmed,
      ).toBe(true);
      await manager.stop('redis');
    } finally {
      await squatter.close();
    }
  });

  it('a port fixed by configuration that is taken is PORT_IN_USE (nothing is started)', async () => {
    const squatter = await silentListener();
    try {
      const m = await newManager({
        native: { ports: { postgres: squatter.port, redis: squatter.port } },
      });
      const { failed, endpoints } = await m.startAll();
      expect(endpoints).toEqual({});
      for (const service of ['postgres', 'redis'] as const) {
        expect(failed.find((f) => f.service === service)?.error).toMatchObject({
          code: 'PORT_IN_USE',
          message: expect.stringContaining(String(squatter.port)),
        });
        expect(m.machine(service).state).toBe('failed');
        expect(m.machine(service).fix).toMatch(/Stop the program using port/);
      }
      await m.stopAll();
    } finally {
      await squatter.close();
    }
  });

  it('a damaged postgresql.conf is reported as a damaged cluster with the server log, and nothing is deleted', async () => {
    const conf = path.join(dataDir, 'services', 'postgres', 'data', 'postgresql.conf');
    const original = await readFile(conf, 'utf8');
    await appendFile(conf, '\nthis line = = is not a setting\n');
    const provider = new NativeProvider({ dataDir, credentials: await loadCredentials(dataDir) });
    const err = await caught(provider.start('postgres'));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toMatch(/damaged: its configuration cannot be read/);
    expect(err.message).toMatch(/syntax error|contains errors/);
    expect(err.fix).toMatch(/never deletes data.*mv /s);
    expect(await readFile(conf, 'utf8')).toContain('this line');
    await writeFile(conf, original);
    await provider.start('postgres'); // repaired by hand: works again, same data
    expect((await pgQuery(pgUrl, 'SELECT current_database() AS d'))[0]?.d).toBe('nova');
    await provider.stop('postgres');
  });
});

describe('native provider misconfigurations', () => {
  it('missing programs are BINARY_MISSING with the package to install', async () => {
    const empty = path.join(scratch, 'empty-bin');
    await mkdir(empty, { recursive: true });
    const dir = await mkdtemp(path.join(scratch, 'data-'));
    const provider = new NativeProvider({
      dataDir: dir,
      credentials: await loadCredentials(dir),
      searchDirs: [empty],
    });
    const pgErr = await caught(provider.start('postgres'));
    expect(pgErr.code).toBe('BINARY_MISSING');
    expect(pgErr.message).toMatch(/^initdb not found/);
    expect(pgErr.fix).toMatch(/apt-get install postgresql-15.*docker or external profile/);
    const redisErr = await caught(provider.start('redis'));
    expect(redisErr).toMatchObject({
      code: 'BINARY_MISSING',
      message: expect.stringMatching(/^redis-server not found/),
    });
    expect(redisErr.fix).toMatch(/apt-get install redis-server/);
    const mongoErr = await caught(provider.start('mongo'));
    expect(mongoErr).toMatchObject({
      code: 'BINARY_MISSING',
      message: expect.stringMatching(/^mongod not found/),
    });
  });

  it('through the manager, a missing program leaves the service failed with the reason and the fix', async () => {
    const dir = await mkdtemp(path.join(scratch, 'data-'));
    const config = configSchema.parse({
      NOVA_DATA_DIR: dir,
      NOVA_PROFILE: 'native',
      NOVA_MONGO_PROFILE: 'embedded',
    });
    const m = await ServiceManager.create({
      config,
      native: { searchDirs: [path.join(scratch, 'empty-bin')] },
    });
    managers.push(m);
    const { failed } = await m.startAll();
    expect(failed.map((f) => `${f.service}:${f.error.code}`).sort()).toEqual([
      'postgres:BINARY_MISSING',
      'redis:BINARY_MISSING',
    ]);
    const pgStatus = await m.status('postgres');
    expect(pgStatus).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('initdb not found'),
      fix: expect.stringContaining('postgresql-15'),
    });
    expect((await m.status('mongo')).state).toBe('healthy'); // embedded: unaffected
  });

  it.runIf(isRoot())(
    'as root, a data dir the postgres OS user cannot reach is DATA_DIR_NOT_WRITABLE naming that user',
    async () => {
      // `scratch` is a private (0700) directory: its children are unreachable for other users.
      const dir = await mkdtemp(path.join(scratch, 'data-'));
      const provider = new NativeProvider({
        dataDir: dir,
        credentials: await loadCredentials(dir),
      });
      const err = await caught(provider.start('postgres'));
      expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
      expect(err.message).toMatch(/runs as the OS user "postgres".*cannot write in/);
      expect(err.fix).toMatch(/not under \/root/);
    },
  );

  it('a cluster folder without PG_VERSION is DB_CORRUPT, suggests moving it aside, and is left untouched', async () => {
    const dir = await reachableDataDir();
    const clusterDir = path.join(dir, 'services', 'postgres', 'data');
    await mkdir(clusterDir, { recursive: true });
    await writeFile(path.join(clusterDir, 'my-notes.txt'), 'precious');
    const provider = new NativeProvider({ dataDir: dir, credentials: await loadCredentials(dir) });
    const err = await caught(provider.start('postgres'));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toContain('PG_VERSION is missing');
    expect(err.fix).toContain(`mv "${clusterDir}"`);
    expect(await readdir(clusterDir)).toEqual(['my-notes.txt']);
  });

  it('a cluster from another PostgreSQL major version is refused with the way forward', async () => {
    const dir = await reachableDataDir();
    const clusterDir = path.join(dir, 'services', 'postgres', 'data');
    await mkdir(clusterDir, { recursive: true });
    await writeFile(path.join(clusterDir, 'PG_VERSION'), '11\n');
    await writeFile(path.join(clusterDir, 'postgresql.conf'), "listen_addresses = 'localhost'\n");
    const provider = new NativeProvider({ dataDir: dir, credentials: await loadCredentials(dir) });
    const err = await caught(provider.start('postgres'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).toMatch(
      /created by PostgreSQL 11, but the installed programs are version 15/,
    );
    expect(err.fix).toMatch(/pg_upgrade/);
  });

  it('a data dir that cannot be written is DATA_DIR_NOT_WRITABLE', async () => {
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'x');
    const dir = path.join(file, 'nested');
    const creds = await loadCredentials(await mkdtemp(path.join(scratch, 'data-')));
    const provider = new NativeProvider({ dataDir: dir, credentials: creds });
    for (const service of ['postgres', 'redis'] as const) {
      const err = await caught(provider.start(service));
      expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
      expect(err.fix).toMatch(/--data-dir/);
    }
  });

  it('a data dir path pg_ctl cannot be given safely is refused before anything runs', async () => {
    const dir = path.join(scratch, 'bad"$(touch pwned)');
    await mkdir(dir, { recursive: true });
    const provider = new NativeProvider({ dataDir: dir, credentials: await loadCredentials(dir) });
    const err = await caught(provider.start('postgres'));
    expect(isNovaError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(err.fix).toMatch(/data directory whose path has none of these characters/);
    expect(await readdir(scratch)).not.toContain('pwned');
  });
});

describe('native MongoDB (only where mongod is installed)', () => {
  it('starts mongod with auth, the generated user can connect, and stop leaves nothing behind', async (ctx) => {
    const dir = await reachableDataDir();
    const provider = new NativeProvider({ dataDir: dir, credentials: await loadCredentials(dir) });
    if (!(await provider.binaries()).mongod) {
      ctx.skip(); // docs/ARCHITECTURE.md#profiles: without mongod, native documents live in PostgreSQL JSONB
      return;
    }
    const { MongoClient } = await import('mongodb');
    const ep = await provider.start('mongo');
    const pid = (await provider.status('mongo')).pid!;
    const client = new MongoClient(ep.url, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      await client.db('nova').collection('t').insertOne({ ok: 1 });
      expect(await client.db('nova').collection('t').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }
    await provider.stop('mongo');
    expect(await isPidRunning(pid)).toBe(false);
  });
});
