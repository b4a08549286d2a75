/**
 * `nova-db up | status | down | doctor`, the built bin run as real
 * processes against real programs: native PostgreSQL and Redis started by
 * `up` must outlive it, be reported by `status` from a NEW process, be
 * adopted by the serve wiring (resolveServiceEndpoints), and be gone after
 * `down` — while the machine's own servers on 5432/6379 are left alone.
 * Then the bad inputs, each one "nova-db: …" line plus a "fix: …" line.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCredentials } from '../../../main/core/config/credentials.js';
import { configSchema } from '../../../main/core/config/schema.js';
import { isNovaError } from '../../../main/core/errors.js';
import {
  doctorReportSchema,
  type DoctorReport,
} from '../../../main/core/services/doctor-schema.js';
import { probePostgres, probeRedis, probeService } from '../../../main/core/services/handshake.js';
import { isPidRunning } from '../../../main/core/services/native/process-utils.js';
import { resolveServiceEndpoints } from '../../../main/core/services/resolve-endpoints.js';
import type { ServiceReport } from '../../../main/core/services/service-control.js';
import { silentListener } from '../services/helpers.js';
import { buildCli, cleanEnv, runNova, stderrLines, type CliResult } from './cli-process.js';

let root: string;
/** Every pid a test saw a native server run under, killed in afterAll if a test failed half-way. */
const seenPids = new Set<number>();

beforeAll(async () => {
  buildCli();
  root = await mkdtemp(path.join(tmpdir(), 'nova-cli-services-'));
  // As root, native PostgreSQL runs as the `postgres` user, which must be
  // able to traverse down to the data dirs (mkdtemp makes 0700).
  await chmod(root, 0o711);
}, 120_000);

afterAll(async () => {
  for (const pid of seenPids) {
    if (await isPidRunning(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(root, { recursive: true, force: true });
});

function nova(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runNova(args, { cwd: root, env: cleanEnv(env) });
}

function json<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${String(r.code)}): ${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** The failure format scripts rely on (docs/ARCHITECTURE.md#stable-interfaces): exactly "nova-db: reason" then "fix: …", nothing else. */
function expectOneLineFailure(r: CliResult, reason: RegExp, fix: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = stderrLines(r);
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^nova-db: /);
  expect(lines[0]).toMatch(reason);
  expect(lines[1]).toMatch(/^fix: /);
  expect(lines[1]).toMatch(fix);
}

describe('up, status, down with the native profile', () => {
  const NATIVE = { NOVA_PROFILE: 'native' };
  let dataDir: string;
  let up: { ok: boolean; services: ServiceReport[]; failed: unknown[] };

  beforeAll(async () => {
    dataDir = path.join(root, 'native');
  });

  it('up starts PostgreSQL and Redis, exits 0, and leaves them running', async () => {
    const r = await nova(['up', '--json', '--data-dir', dataDir], NATIVE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    up = json(r);
    expect(up.ok).toBe(true);
    expect(up.failed).toEqual([]);
    const pg = up.services.find((s) => s.service === 'postgres')!;
    const redis = up.services.find((s) => s.service === 'redis')!;
    for (const s of [pg, redis]) {
      expect(s).toMatchObject({ profile: 'native', state: 'healthy' });
      expect(s.port).toBeGreaterThan(0);
      expect(s.pid).toBeGreaterThan(1);
      seenPids.add(s.pid!);
    }
    // Their own ports: the machine's servers on 5432/6379 are not touched.
    expect([5432, 6379]).not.toContain(pg.port);
    expect([5432, 6379]).not.toContain(redis.port);

    // `up` has exited; the servers still answer, Redis with the generated password.
    expect((await probePostgres('127.0.0.1', pg.port!)).confirmed).toBe(true);
    const { redisPassword, postgresPassword } = await loadCredentials(dataDir);
    const redisProbe = await probeRedis('127.0.0.1', redis.port!, { password: redisPassword });
    expect(redisProbe).toMatchObject({ confirmed: true });
    expect(redisProbe.authRequired).toBeFalsy();
    // URLs are for display: no password ever appears.
    expect(r.stdout).not.toContain(redisPassword);
    expect(r.stdout).not.toContain(postgresPassword);
    expect(redis.url).toBe(`redis://:***@127.0.0.1:${redis.port}`);
  });

  it('status in a new process reports both healthy with the same ports and pids', async () => {
    const r = await nova(['status', '--json', '--data-dir', dataDir], NATIVE);
    expect(r.code, r.stderr).toBe(0);
    const status = json<{ dataDir: string; services: ServiceReport[] }>(r);
    expect(status.dataDir).toBe(dataDir);
    for (const name of ['postgres', 'redis'] as const) {
      const before = up.services.find((s) => s.service === name)!;
      expect(status.services.find((s) => s.service === name)).toMatchObject({
        state: 'healthy',
        port: before.port,
        pid: before.pid,
      });
    }
    expect(r.stdout).not.toMatch(/:\/\/[^:/]*:(?!\*\*\*@)[^@/]+@/); // no URL with a real password
  });

  it('up again adopts the running servers instead of starting second ones', async () => {
    const r = await nova(['up', '--json', '--data-dir', dataDir], NATIVE);
    expect(r.code, r.stderr).toBe(0);
    const again = json<typeof up>(r);
    for (const name of ['postgres', 'redis'] as const) {
      expect(again.services.find((s) => s.service === name)?.pid).toBe(
        up.services.find((s) => s.service === name)?.pid,
      );
    }
  });

  it('serve’s wiring adopts them for the data layer and leaves them running on release', async () => {
    const config = configSchema.parse({ NOVA_DATA_DIR: dataDir, NOVA_PROFILE: 'native' });
    const services = await resolveServiceEndpoints({ config, mode: 'adopt', supervisor: false });
    try {
      expect(services.started).toEqual([]);
      expect(services.adopted.sort()).toEqual(['mongo', 'postgres', 'redis']);
      const pgPort = up.services.find((s) => s.service === 'postgres')!.port;
      expect(services.endpoints.postgres).toContain(`@127.0.0.1:${pgPort}/`);
      expect(services.endpoints.redis).toBeDefined();
      const { openBackends } = await import('../../../main/core/stores/open-backends.js');
      const { DatabaseFactory } = await import('../../../main/core/stores/database-factory.js');
      const backends = await openBackends(services.config, services.endpoints);
      const factory = new DatabaseFactory(services.config, { backends, maintenanceIntervalMs: 0 });
      try {
        await factory.initialize();
        const result = await factory.query('SELECT current_database() AS db');
        expect(result.rows).toEqual([{ db: 'nova' }]);
        await factory.cache.set('cli-test', { ok: true }, 60);
        expect(await factory.cache.get('cli-test')).toEqual({ ok: true });
      } finally {
        await factory.close();
      }
    } finally {
      await services.release();
    }
    for (const s of up.services.filter((x) => x.pid)) expect(await isPidRunning(s.pid!)).toBe(true);
  });

  it('down stops both, their processes are gone, and the machine’s servers still answer', async () => {
    const r = await nova(['down', '--json', '--data-dir', dataDir], NATIVE);
    expect(r.code, r.stderr).toBe(0);
    const down = json<{
      ok: boolean;
      services: { service: string; result: string; pid?: number }[];
    }>(r);
    expect(down.ok).toBe(true);
    for (const name of ['postgres', 'redis']) {
      const pid = up.services.find((s) => s.service === name)!.pid!;
      expect(down.services.find((s) => s.service === name)).toMatchObject({
        result: 'stopped',
        pid,
      });
      expect(await isPidRunning(pid)).toBe(false);
    }
    const status = json<{ services: ServiceReport[] }>(
      await nova(['status', '--json', '--data-dir', dataDir], NATIVE),
    );
    expect(status.services.find((s) => s.service === 'postgres')?.state).toBe('stopped');
    expect(status.services.find((s) => s.service === 'redis')?.state).toBe('stopped');
    expect((await probeService('postgres', '127.0.0.1', 5432)).confirmed).toBe(true);
    expect((await probeService('redis', '127.0.0.1', 6379)).confirmed).toBe(true);
  });

  it('resolveServiceEndpoints: adopt mode says "run nova-db up"; start mode starts and release stops', async () => {
    const config = configSchema.parse({ NOVA_DATA_DIR: dataDir, NOVA_REDIS_PROFILE: 'native' });
    const refused = await resolveServiceEndpoints({
      config,
      mode: 'adopt',
      supervisor: false,
    }).catch((e: unknown) => e);
    expect(isNovaError(refused, 'SERVICE_UNAVAILABLE')).toBe(true);
    expect((refused as Error & { fix?: string }).fix).toContain('nova-db up');

    const services = await resolveServiceEndpoints({ config, supervisor: false });
    expect(services.started).toEqual(['redis']);
    expect(services.manager?.machine('redis').state).toBe('healthy');
    const pid = await redisPid(dataDir);
    expect(await isPidRunning(pid)).toBe(true);
    seenPids.add(pid);
    await services.release();
    expect(await isPidRunning(pid)).toBe(false);
  });
});

async function redisPid(dataDir: string): Promise<number> {
  return Number(
    (await readFile(path.join(dataDir, 'services', 'redis', 'redis.pid'), 'utf8')).trim(),
  );
}

const dockerClient = (() => {
  try {
    execFileSync('docker', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('doctor', () => {
  // A socket nobody listens on: "installed, engine not running" on any machine with a docker client.
  const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/nova-test/docker.sock' };

  it('prints a report matching the published schema; finds the machine’s servers by handshake', async () => {
    const r = await nova(['doctor', '--json', '--data-dir', path.join(root, 'doctor')], NO_ENGINE);
    const report: DoctorReport = doctorReportSchema.parse(json(r));
    expect(r.code, r.stderr).toBe(report.ok ? 0 : 1);
    expect(report.profiles).toEqual({ postgres: 'embedded', mongo: 'embedded', redis: 'embedded' });
    expect(report.findings.find((f) => f.id === 'listening-postgres-5432')).toMatchObject({
      severity: 'ok',
      data: { confirmed: true, port: 5432 },
    });
    expect(report.findings.find((f) => f.id === 'listening-redis-6379')).toMatchObject({
      severity: 'ok',
      data: { confirmed: true, port: 6379 },
    });
    expect(report.findings.find((f) => f.id === 'binary-initdb')).toMatchObject({
      severity: 'ok',
      data: { version: expect.stringMatching(/^\d+\.\d+/) as unknown },
    });
    expect(report.findings.find((f) => f.id === 'binary-redis-server')?.severity).toBe('ok');
  });

  it.skipIf(!dockerClient)('reports the Docker engine not running, with its fix', async () => {
    const r = await nova(['doctor', '--json', '--data-dir', path.join(root, 'doctor')], NO_ENGINE);
    const report = doctorReportSchema.parse(json(r));
    const engine = report.findings.find((f) => f.id === 'docker-engine');
    expect(engine).toMatchObject({ severity: 'warn', title: 'The Docker engine is not running' });
    expect(engine?.fix).toMatch(/start/i);
    expect(r.code).toBe(0); // nothing configured needs Docker

    // With the docker profile the same fact is an error on every service, and the exit status is 1.
    const docker = await nova(['doctor', '--json', '--data-dir', path.join(root, 'doctor')], {
      ...NO_ENGINE,
      NOVA_PROFILE: 'docker',
    });
    const dreport = doctorReportSchema.parse(json(docker));
    expect(docker.code).toBe(1);
    expect(dreport.ok).toBe(false);
    expect(dreport.findings.find((f) => f.id === 'service-postgres')).toMatchObject({
      severity: 'error',
      title: 'PostgreSQL (docker) cannot start: the Docker engine is not running',
      fix: engine?.fix,
    });
    expect(stderrLines(docker)).toEqual([
      'nova-db: doctor found 3 problems; first: PostgreSQL (docker) cannot start: the Docker engine is not running (service-postgres)',
      `fix: ${engine?.fix}`,
    ]);
  });

  it('prints findings for people without --json, with the fix under each problem', async () => {
    const r = await nova(['doctor', '--data-dir', path.join(root, 'doctor')], NO_ENGINE);
    expect(r.stdout).toMatch(/^ok {4}The data directory is writable {2}\[data-dir\]$/m);
    expect(r.stdout).toMatch(/\d+ ok, \d+ warnings?, \d+ errors?\n$/);
    expect(r.stdout.trimStart().startsWith('{')).toBe(false);
  });
});

describe('bad inputs: one line with the reason, one with the fix, exit 1', () => {
  it('a data dir that cannot be created (a path under a regular file)', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    const dataDir = path.join(file, 'data');
    for (const command of ['up', 'status', 'down']) {
      const r = await nova([command, '--data-dir', dataDir], { NOVA_PROFILE: 'native' });
      expectOneLineFailure(r, /data directory .*a-file\/data is not writable/, /--data-dir/);
    }
    const json1 = await nova(['status', '--json', '--data-dir', dataDir]);
    expect(json<{ error: { code: string } }>(json1).error.code).toBe('DATA_DIR_NOT_WRITABLE');

    const doctor = await nova(['doctor', '--json', '--data-dir', dataDir]);
    const report = doctorReportSchema.parse(json(doctor));
    expect(doctor.code).toBe(1);
    expect(report).toMatchObject({ ok: false, dataDir: null, profiles: null });
    expect(report.findings.find((f) => f.id === 'data-dir')).toMatchObject({ severity: 'error' });
    expectOneLineFailure(doctor, /data-dir/, /--data-dir/);
  });

  it('a fixed port that is already taken', async () => {
    const blocker = await silentListener();
    try {
      const env = { NOVA_REDIS_PROFILE: 'native', NOVA_NATIVE_REDIS_PORT: String(blocker.port) };
      const dataDir = path.join(root, 'port-taken');
      const r = await nova(['up', '--data-dir', dataDir], env);
      expectOneLineFailure(
        r,
        new RegExp(`Port ${blocker.port} .*already in use`),
        /Stop the program/,
      );

      const doctor = await nova(['doctor', '--json', '--data-dir', dataDir], env);
      const report = doctorReportSchema.parse(json(doctor));
      expect(doctor.code).toBe(1);
      expect(report.findings.find((f) => f.id === 'port-redis')).toMatchObject({
        severity: 'error',
        data: { port: blocker.port },
      });
    } finally {
      await blocker.close();
    }
  });

  it('a missing server program (search dirs pointing at an empty directory)', async () => {
    const empty = path.join(root, 'empty-bin');
    await mkdir(empty, { recursive: true });
    const env = { NOVA_REDIS_PROFILE: 'native', NOVA_BIN_SEARCH_DIRS: empty };
    const dataDir = path.join(root, 'no-binary');
    const r = await nova(['up', '--data-dir', dataDir], env);
    expectOneLineFailure(r, /redis-server not found/, /apt-get install redis-server/);

    const doctor = await nova(['doctor', '--json', '--data-dir', dataDir], env);
    const report = doctorReportSchema.parse(json(doctor));
    expect(doctor.code).toBe(1);
    expect(report.findings.find((f) => f.id === 'service-redis')).toMatchObject({
      severity: 'error',
    });
    expect(report.findings.find((f) => f.id === 'service-redis')?.fix).toContain(
      'apt-get install redis-server',
    );
    expect(report.findings.find((f) => f.id === 'binary-redis-server')?.detail).toContain(empty);
  });

  it('a damaged PostgreSQL cluster directory', async () => {
    const dataDir = path.join(root, 'corrupt');
    const cluster = path.join(dataDir, 'services', 'postgres', 'data');
    await mkdir(cluster, { recursive: true });
    await writeFile(path.join(cluster, 'PG_VERSION'), 'not a version\n');
    const env = { NOVA_POSTGRES_PROFILE: 'native' };
    const r = await nova(['up', '--service', 'postgres', '--data-dir', dataDir], env);
    expectOneLineFailure(r, /cluster directory .* is damaged/, /Move the folder aside/);

    const doctor = await nova(['doctor', '--json', '--data-dir', dataDir], env);
    const report = doctorReportSchema.parse(json(doctor));
    expect(doctor.code).toBe(1);
    expect(report.findings.find((f) => f.id === 'postgres-cluster')).toMatchObject({
      severity: 'error',
    });
    // Nothing was deleted: the damaged folder may hold someone's only copy.
    expect(await readFile(path.join(cluster, 'PG_VERSION'), 'utf8')).toBe('not a version\n');
  });

  it('an unknown --service is a usage error (exit 2)', async () => {
    const r = await nova(['up', '--service', 'mysql', '--data-dir', path.join(root, 'usage')]);
    expect(r.code).toBe(2);
    expect(stderrLines(r)[0]).toMatch(
      /^nova-db: .*--service must be one of postgres, mongo, redis/,
    );
  });
});
