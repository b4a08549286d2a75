/**
 * Detection against this machine: its PostgreSQL 15 (5432) and Redis 7
 * (6379) must be found by handshake, impostor listeners must not, and the
 * server programs must be found where Debian puts them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect, detectListening } from '../../../main/core/services/detect.js';
import { probeMongo } from '../../../main/core/services/handshake.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { silentListener } from './helpers.js';

let silent: Awaited<ReturnType<typeof silentListener>>;
let garbage: Server;
let garbagePort: number;
const garbageSockets = new Set<Socket>();

beforeAll(async () => {
  silent = await silentListener();
  garbage = createServer((s) => {
    garbageSockets.add(s);
    s.on('error', () => undefined);
    s.on('data', () => s.write('\x00\x01garbage\r\n'));
  });
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  garbagePort = (garbage.address() as { port: number }).port;
});

afterAll(async () => {
  await silent.close();
  for (const s of garbageSockets) s.destroy();
  await new Promise((r) => garbage.close(r));
});

describe('detect()', () => {
  it("finds the machine's PostgreSQL and Redis by handshake and the server programs, and reports impostors as not confirmed", async () => {
    const report = await detect({
      extraPorts: {
        postgres: [silent.port, garbagePort],
        redis: [garbagePort],
        mongo: [silent.port],
      },
      probeTimeoutMs: 500,
    });

    const at = (service: string, port: number) =>
      report.listening.find((l) => l.service === service && l.port === port);
    expect(at('postgres', 5432)).toMatchObject({
      host: '127.0.0.1',
      confirmed: true,
      detail: expect.stringMatching(/^PostgreSQL/),
    });
    expect(at('redis', 6379)).toMatchObject({
      confirmed: true,
      version: expect.stringMatching(/^7\./),
    });
    expect(at('postgres', silent.port)).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('port open but not a PostgreSQL server'),
    });
    expect(at('postgres', garbagePort)).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('port open but not a PostgreSQL server'),
    });
    expect(at('redis', garbagePort)).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('port open but not a Redis server'),
    });
    expect(at('mongo', silent.port)).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('port open but not a MongoDB server'),
    });

    // Closed ports are left out rather than listed as "not confirmed".
    if (!report.listening.some((l) => l.port === 27017)) expect(at('mongo', 27017)).toBeUndefined();

    // Debian: the PostgreSQL 15 programs, all three from one directory.
    expect(report.binaries.initdb?.version).toMatch(/^15\./);
    expect(report.binaries.pg_ctl?.version).toMatch(/^15\./);
    expect(report.binaries.postgres?.version).toMatch(/^15\./);
    const dirOf = (p: string | undefined) => p?.slice(0, p.lastIndexOf('/'));
    expect(dirOf(report.binaries.initdb?.path)).toBe(dirOf(report.binaries.pg_ctl?.path));
    expect(report.binaries['redis-server']?.version).toMatch(/^7\./);

    // Docker: whatever this machine has, the report has the documented shape.
    expect(['running', 'not-running', 'absent']).toContain(report.docker.engine);
    expect([null, 'v1', 'v2']).toContain(report.docker.compose);
    if (report.docker.engine !== 'running') expect(report.docker.reason).toBeTruthy();
  });

  it('PostgreSQL tools are found under /usr/lib/postgresql/<major>/bin even when PATH lacks them', async () => {
    const report = await detect({ pathEnv: '/nonexistent', skipDefaultPorts: true });
    expect(report.binaries.initdb?.path).toMatch(
      /\/(usr\/lib\/postgresql\/\d+\/bin|usr\/local\/bin)\/initdb$/,
    );
    expect(report.listening).toEqual([]);
  });

  it('when the Docker module cannot be loaded, detection still completes and says why', async () => {
    const report = await detect({
      skipDefaultPorts: true,
      dockerImporter: () => Promise.reject(new Error('boom')),
    });
    expect(report.docker).toMatchObject({
      checked: false,
      engine: 'absent',
      client: null,
      reason: expect.stringContaining('failed to load: boom'),
    });
    expect(report.binaries.initdb).not.toBeNull();
  });
});

describe('MongoDB handshake against a server speaking the real wire protocol', () => {
  let mongo: MongoTestServer | undefined;
  afterAll(async () => {
    await mongo?.stop();
  });

  it(
    'is confirmed by OP_MSG hello and found by detectListening',
    { timeout: 120_000 },
    async () => {
      mongo = await startMongo();
      const url = new URL(mongo.url);
      const port = Number(url.port || 27017);
      const probe = await probeMongo(url.hostname, port, { timeoutMs: 3000 });
      expect(probe).toMatchObject({
        open: true,
        confirmed: true,
        detail: expect.stringMatching(/^MongoDB \(wire version \d+\)$/),
      });
      const listening = await detectListening({
        host: url.hostname,
        skipDefaultPorts: true,
        extraPorts: { mongo: [port], postgres: [port] },
      });
      expect(listening.find((l) => l.service === 'mongo')?.confirmed).toBe(true);
      // …and a MongoDB port is not mistaken for PostgreSQL.
      expect(listening.find((l) => l.service === 'postgres')?.confirmed).toBe(false);
    },
  );
});
