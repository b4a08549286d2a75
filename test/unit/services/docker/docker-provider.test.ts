/**
 * The Docker provider driven by a runner that replays what real docker
 * printed (test/fixtures/docker). The provider's own logic — which commands
 * it runs, how it waits, how it reads states and failures — is what runs.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import { isNovaError } from '../../../../main/core/errors.js';
import {
  FIX_DOCKER_GROUP,
  FIX_INSTALL_COMPOSE_V2,
  FIX_START_ENGINE,
} from '../../../../main/core/services/docker/classify-docker-error.js';
import type { CommandResult } from '../../../../main/core/services/docker/command-runner.js';
import {
  DockerProvider,
  createDockerProvider,
  type DockerProviderOptions,
} from '../../../../main/core/services/docker/docker-provider.js';
import { osFreePort } from '../../../../main/core/services/ports.js';
import type {
  ProviderContext,
  ServiceName,
  ServiceStatus,
} from '../../../../main/core/services/types.js';
import { replay, type Step } from './replay.js';

const FILE = '/opt/nova-db/docker-compose.prod.yml';
const CREDENTIALS = {
  postgresPassword: 'pg/Secret+1',
  mongoPassword: 'mongoSecret2',
  redisPassword: 'redisSecret3',
};
const ctx: ProviderContext = {
  dataDir: '/tmp/nova-docker-test',
  config: configSchema.parse({ NOVA_DATA_DIR: '/tmp/nova-docker-test', NOVA_PROFILE: 'docker' }),
  credentials: CREDENTIALS,
};

const INFO = ['docker', 'info', '--format', '{{json .}}'];
const PLUGIN = ['docker', 'compose', 'version'];
/** The two commands of a detection on a machine where Docker works. */
const DOCKER_WORKS: Step[] = [
  { tail: INFO, reply: 'docker-info-running-desktop' },
  { tail: PLUGIN, reply: 'compose-version-v2' },
];
const ps = (service: string, reply: Step['reply']): Step => ({
  tail: ['ps', '--all', '--format', 'json', service],
  reply,
});
const NO_CONTAINER: CommandResult = {
  exitCode: 0,
  stdout: '',
  stderr: '',
  spawnError: null,
  timedOut: false,
};

function setup(steps: Step[], options: DockerProviderOptions = {}) {
  const r = replay(steps);
  let clock = 0;
  const sleeps: number[] = [];
  const seen: ServiceStatus[] = [];
  const provider = new DockerProvider(ctx, {
    composeFile: FILE,
    runner: r.runner,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    onStatus: (s) => seen.push(s),
    ...options,
  });
  const secretsInArgs = () =>
    r.calls.some((c) =>
      Object.values(CREDENTIALS).some((secret) => c.args.join(' ').includes(secret)),
    );
  return { provider, r, sleeps, seen, secretsInArgs, advance: (ms: number) => (clock += ms) };
}

async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: string; fix?: string; kind?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; fix?: string };
  }
  throw new Error('expected a rejection');
}

describe('DockerProvider.start', () => {
  it('runs `up -d`, polls ps until healthy, confirms the port by handshake, and returns the endpoint', async () => {
    // The recorded runs name their container "web": map postgres to it. The
    // endpoint is then probed for real: the machine's PostgreSQL answers on
    // 127.0.0.1:5432 (docs/ARCHITECTURE.md#tests), standing in for the published port.
    const t = setup(
      [
        ...DOCKER_WORKS,
        { tail: ['up', '-d', 'web'], reply: 'compose-up-started' },
        ps('web', 'compose-ps-ndjson-health-starting'),
        ps('web', 'compose-ps-ndjson-healthy-unhealthy-restarting'),
      ],
      { composeServices: { postgres: 'web' }, pollIntervalMs: 500, ports: { postgres: 5432 } },
    );
    const endpoint = await t.provider.start('postgres');

    expect(endpoint).toEqual({
      service: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      url: 'postgresql://nova:pg%2FSecret%2B1@127.0.0.1:5432/nova',
    });
    expect(t.seen.map((s) => s.state)).toEqual(['starting', 'healthy']);
    expect(t.sleeps).toEqual([500]);
    expect(t.r.remaining()).toEqual([]);

    const up = t.r.calls[2]!;
    expect(up.file).toBe('docker');
    expect(up.args).toEqual(['compose', '-p', 'nova-db', '-f', FILE, 'up', '-d', 'web']);
    expect(up.env).toMatchObject({
      POSTGRES_PASSWORD: CREDENTIALS.postgresPassword,
      MONGO_PASSWORD: CREDENTIALS.mongoPassword,
      REDIS_PASSWORD: CREDENTIALS.redisPassword,
      NOVA_PG_PORT: '5432',
      NOVA_MONGO_PORT: '27018',
      NOVA_REDIS_PORT: '6380',
      MONGODB_DB: 'nova',
    });
    expect(up.timeoutMs).toBe(15 * 60_000);
    expect(t.secretsInArgs()).toBe(false);
  });

  it('keeps waiting while the port of a healthy container does not answer from the host', async () => {
    const port = await osFreePort();
    const healthy = ps('web', 'compose-ps-ndjson-healthy-unhealthy-restarting');
    const t = setup(
      [
        ...DOCKER_WORKS,
        { tail: ['up', '-d', 'web'], reply: 'compose-up-started' },
        healthy,
        healthy,
        {
          tail: ['logs', '--no-color', '--no-log-prefix', '--tail', '15', 'web'],
          reply: NO_CONTAINER,
        },
      ],
      {
        composeServices: { postgres: 'web' },
        ports: { postgres: port },
        healthTimeoutMs: 1000,
        pollIntervalMs: 1000,
      },
    );
    const err = await rejection(t.provider.start('postgres'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      `PostgreSQL did not become healthy within 1 s: it is still starting (PostgreSQL: its container is healthy but 127.0.0.1:${port} does not answer as PostgreSQL yet).`,
    );
    expect(t.seen.map((s) => s.state)).toEqual(['starting']);
  });

  it('detects Docker once per provider', async () => {
    const t = setup([
      ...DOCKER_WORKS,
      { tail: ['stop', 'redis'], reply: 'compose-stop' },
      { tail: ['stop', 'mongo'], reply: 'compose-stop' },
    ]);
    await t.provider.stop('redis');
    await t.provider.stop('mongo');
    expect(t.r.remaining()).toEqual([]);
  });

  it('daemon not running: refuses with the fix, without running compose (recorded here)', async () => {
    const t = setup([
      { tail: INFO, reply: 'docker-info-daemon-not-running' },
      { tail: PLUGIN, reply: 'docker-compose-plugin-missing' },
      { tail: ['docker-compose', 'version'], reply: 'docker-client-absent' },
    ]);
    const err = await rejection(t.provider.start('postgres'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).toBe(
      'The Docker profile cannot run here: Docker is installed but its engine is not running (nothing answers at unix:///var/run/docker.sock).',
    );
    expect(err.fix).toBe(FIX_START_ENGINE);
    expect(t.r.calls).toHaveLength(3);
  });

  it('compose v1 only: refuses, asking for Compose v2', async () => {
    const t = setup([
      { tail: INFO, reply: 'docker-info-running-desktop' },
      { tail: PLUGIN, reply: 'docker-compose-plugin-missing' },
      { tail: ['docker-compose', 'version'], reply: 'docker-compose-v1-version' },
    ]);
    const err = await rejection(t.provider.start('redis'));
    expect(err.code).toBe('BINARY_MISSING');
    expect(err.message).toContain('Only Docker Compose v1 (docker-compose 1.29.2) is installed');
    expect(err.fix).toBe(FIX_INSTALL_COMPOSE_V2);
  });

  it('detects again after a failed detection (Docker was started meanwhile)', async () => {
    const t = setup([
      { tail: INFO, reply: 'docker-info-daemon-not-running' },
      { tail: PLUGIN, reply: 'compose-version-v2' },
      ...DOCKER_WORKS,
      { tail: ['stop', 'postgres'], reply: 'compose-stop' },
    ]);
    await t.provider.stop('postgres'); // engine down: nothing can run, stop resolves
    await t.provider.stop('postgres');
    expect(t.r.remaining()).toEqual([]);
  });

  it('port in use: PORT_IN_USE naming the service, the port and the setting', async () => {
    const t = setup(
      [...DOCKER_WORKS, { tail: ['up', '-d', 'postgres'], reply: 'compose-up-address-in-use' }],
      {
        ports: { postgres: 5432 },
      },
    );
    const err = await rejection(t.provider.start('postgres'));
    expect(err.code).toBe('PORT_IN_USE');
    expect(err.message).toBe(
      "Starting PostgreSQL (docker compose up) failed: PostgreSQL's port 5432 on 0.0.0.0 is already in use by another program or container.",
    );
    expect(err.fix).toContain('NOVA_PG_PORT');
  });

  it('image pull without network: a clear SERVICE_UNAVAILABLE', async () => {
    const t = setup([
      ...DOCKER_WORKS,
      { tail: ['up', '-d', 'mongo'], reply: 'compose-up-pull-no-network' },
    ]);
    const err = await rejection(t.provider.start('mongo'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).toContain('Docker could not download the database images');
    expect(err.message).toContain('registry-1.docker.io is unreachable (no such host)');
  });

  it('gives up after the health timeout, saying the last state and showing the log tail', async () => {
    const starting = ps('web', 'compose-ps-ndjson-health-starting');
    const t = setup(
      [
        ...DOCKER_WORKS,
        { tail: ['up', '-d', 'web'], reply: 'compose-up-started' },
        starting,
        starting,
        starting,
        starting,
        {
          tail: ['logs', '--no-color', '--no-log-prefix', '--tail', '15', 'web'],
          reply: 'compose-logs',
        },
      ],
      { composeServices: { redis: 'web' }, healthTimeoutMs: 3000, pollIntervalMs: 1000 },
    );
    const err = await rejection(t.provider.start('redis'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^Redis did not become healthy within 3 s: it is still starting\./);
    expect(err.message).toContain('Last log lines:\nscheduler-1  | Downloading ruff (11.0MiB)');
    expect(err.fix).toContain('docker compose -p nova-db logs web');
    expect(t.sleeps).toEqual([1000, 1000, 1000]);
    expect(t.r.remaining()).toEqual([]);
    expect(t.seen.map((s) => s.state)).toEqual(['starting']);
  });

  it('reports an unhealthy container as degraded while waiting, and times out with its reason', async () => {
    const unhealthy = ps('worker', 'compose-ps-ndjson-healthy-unhealthy-restarting');
    const t = setup(
      [
        ...DOCKER_WORKS,
        { tail: ['up', '-d', 'worker'], reply: 'compose-up-started' },
        unhealthy,
        unhealthy,
        {
          tail: ['logs', '--no-color', '--no-log-prefix', '--tail', '15', 'worker'],
          reply: NO_CONTAINER,
        },
      ],
      { composeServices: { mongo: 'worker' }, healthTimeoutMs: 1000, pollIntervalMs: 1000 },
    );
    const err = await rejection(t.provider.start('mongo'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      'MongoDB did not become healthy within 1 s: it is still degraded (MongoDB: its container is running but the health check is failing (Up 9 minutes (unhealthy))).',
    );
    expect(t.seen).toHaveLength(1);
    expect(t.seen[0]).toMatchObject({ service: 'mongo', provider: 'docker', state: 'degraded' });
  });

  it('refuses a service it does not run', async () => {
    const t = setup([]);
    const err = await rejection(t.provider.start('mysql' as ServiceName));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.fix).toBe('Use one of: postgres, mongo, redis.');
    expect(t.r.calls).toHaveLength(0);
  });
});

describe('DockerProvider.status', () => {
  it('maps ps to the state machine and keeps `since` while the state holds', async () => {
    const w2 = 'compose-ps-ndjson-healthy-unhealthy-restarting';
    const t = setup([...DOCKER_WORKS, ps('postgres', w2), ps('worker', w2), ps('postgres', w2)], {
      composeServices: { redis: 'worker' },
    });
    const pg = await t.provider.status('postgres');
    expect(pg).toMatchObject({ service: 'postgres', provider: 'docker', state: 'healthy' });
    expect(pg.port).toBeUndefined(); // that container exposes 5432 without publishing it

    const redis = await t.provider.status('redis');
    expect(redis.state).toBe('degraded');
    expect(redis.reason).toBe(
      'Redis: its container is running but the health check is failing (Up 9 minutes (unhealthy))',
    );
    expect(redis.fix).toContain('docker compose -p nova-db logs worker');

    t.advance(5000);
    const again = await t.provider.status('postgres');
    expect(again.since).toEqual(pg.since);
  });

  it('no container: stopped', async () => {
    const t = setup([...DOCKER_WORKS, ps('mongo', NO_CONTAINER)]);
    expect(await t.provider.status('mongo')).toMatchObject({ state: 'stopped' });
  });

  it('engine down: stopped with the reason and the fix, never a throw (recorded here)', async () => {
    const t = setup([
      { tail: INFO, reply: 'docker-info-daemon-not-running' },
      { tail: PLUGIN, reply: 'docker-compose-plugin-missing' },
      { tail: ['docker-compose', 'version'], reply: 'docker-client-absent' },
    ]);
    const s = await t.provider.status('redis');
    expect(s).toMatchObject({
      service: 'redis',
      provider: 'docker',
      state: 'stopped',
      fix: FIX_START_ENGINE,
    });
    expect(s.reason).toContain('engine is not running');
  });

  it('ps refused (permission denied): stopped with the docker-group fix', async () => {
    const t = setup([...DOCKER_WORKS, ps('postgres', 'compose-permission-denied-docker-api')]);
    const s = await t.provider.status('postgres');
    expect(s.state).toBe('stopped');
    expect(s.reason).toContain('permission denied on /var/run/docker.sock');
    expect(s.fix).toBe(FIX_DOCKER_GROUP);
  });
});

describe('DockerProvider.stop / down / logs', () => {
  it('stop runs `compose stop SERVICE`', async () => {
    const t = setup([...DOCKER_WORKS, { tail: ['stop', 'mongo'], reply: 'compose-stop' }]);
    await t.provider.stop('mongo');
    expect(t.r.calls[2]!.args).toEqual(['compose', '-p', 'nova-db', '-f', FILE, 'stop', 'mongo']);
  });

  it('stop fails loudly when Docker refuses (permission denied): containers may still run', async () => {
    const t = setup([
      ...DOCKER_WORKS,
      { tail: ['stop', 'postgres'], reply: 'compose-permission-denied-docker-api' },
    ]);
    const err = await rejection(t.provider.stop('postgres'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.fix).toBe(FIX_DOCKER_GROUP);
  });

  it('down removes containers but never volumes', async () => {
    const t = setup([...DOCKER_WORKS, { tail: ['-f', FILE, 'down'], reply: 'compose-down' }]);
    await t.provider.down();
    expect(t.r.calls[2]!.args).not.toContain('-v');
    expect(t.r.calls[2]!.args).not.toContain('--volumes');
  });

  it('logs returns the last lines, oldest first', async () => {
    const t = setup([
      ...DOCKER_WORKS,
      {
        tail: ['logs', '--no-color', '--no-log-prefix', '--tail', '3', 'redis'],
        reply: 'compose-logs',
      },
    ]);
    expect(await t.provider.logs('redis', 3)).toEqual([
      'scheduler-1  | INFO:w2.scheduler:w2 scheduler heartbeat',
      'scheduler-1  | INFO:w2.scheduler:w2 scheduler heartbeat',
      'scheduler-1  | INFO:w2.scheduler:w2 scheduler heartbeat',
    ]);
  });

  it('logs refuses a bad line count before running anything', async () => {
    const t = setup([]);
    for (const n of [0, 1.5, 20_000]) {
      const err = await rejection(t.provider.logs('redis', n));
      expect(err.code).toBe('INVALID_ARGUMENT');
    }
    expect(t.r.calls).toHaveLength(0);
  });
});

describe('createDockerProvider', () => {
  it('uses the production compose file shipped at the package root by default', async () => {
    const r = replay([...DOCKER_WORKS, { tail: ['stop', 'redis'], reply: 'compose-stop' }]);
    const provider = createDockerProvider(ctx, { runner: r.runner });
    expect(provider.kind).toBe('docker');
    await provider.stop('redis');
    const file = r.calls[2]!.args[r.calls[2]!.args.indexOf('-f') + 1]!;
    expect(file).toMatch(/\/docker-compose\.prod\.yml$/);
    expect(file.startsWith('/')).toBe(true);
  });

  it('refuses a host port that is not a TCP port', () => {
    let caught: unknown;
    try {
      createDockerProvider(ctx, { composeFile: FILE, ports: { redis: 70000 } });
    } catch (err) {
      caught = err;
    }
    expect(isNovaError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as { fix?: string }).fix).toContain('NOVA_REDIS_PORT');
  });
});
