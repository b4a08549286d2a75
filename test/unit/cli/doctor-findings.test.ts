/**
 * The doctor's judgement (facts → findings) on hand-built facts: the rules
 * that decide severity and fix, and the published schema the report must
 * match. The real machine is examined by test/integration/cli/.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type NovaConfigInput } from '../../../main/core/config/schema.js';
import type { BinaryReport } from '../../../main/core/services/binaries.js';
import type { DetectionReport } from '../../../main/core/services/detect.js';
import {
  buildDoctorReport,
  diagnose,
  type DoctorFacts,
  type Finding,
} from '../../../main/core/services/doctor.js';
import { doctorReportSchema, FINDING_ID } from '../../../main/core/services/doctor-schema.js';
import {
  fixedNativePorts,
  nativeOptionsFromConfig,
  searchDirsFromConfig,
} from '../../../main/core/services/native-options.js';
import type { ServiceReport } from '../../../main/core/services/service-control.js';

const pg = (name: string) => ({ path: `/usr/lib/postgresql/15/bin/${name}`, version: '15.20' });
const ALL_BINARIES: BinaryReport = {
  initdb: pg('initdb'),
  pg_ctl: pg('pg_ctl'),
  postgres: pg('postgres'),
  'redis-server': { path: '/usr/bin/redis-server', version: '7.0.15' },
  mongod: null,
};

/** What detectDocker reports for a client whose engine is down (see the docker fixtures). */
const DOCKER_DOWN = {
  checked: true as const,
  client: '28.2.2',
  engine: 'not-running' as const,
  compose: 'v2' as const,
  versions: { client: '28.2.2', compose: '2.29.1' },
  reason: 'Docker is installed but its engine is not running.',
  problems: [
    {
      kind: 'engine-down',
      code: 'SERVICE_UNAVAILABLE',
      message: 'Docker is installed but its engine is not running.',
      fix: 'Run `sudo systemctl start docker`.',
    },
  ],
};

function facts(
  settings: Partial<NovaConfigInput>,
  overrides: Partial<DoctorFacts> = {},
  binaries: Partial<BinaryReport> = {},
): DoctorFacts {
  const config = configSchema.parse({ NOVA_DATA_DIR: '/srv/nova', ...settings });
  const detection: DetectionReport = {
    docker: DOCKER_DOWN,
    binaries: { ...ALL_BINARIES, ...binaries },
    listening: [],
  };
  return {
    platform: 'linux',
    config: { ok: true, config, warnings: [] },
    detection,
    searchDirs: ['/usr/bin', '/usr/lib/postgresql/15/bin'],
    services: null,
    fixedPorts: [],
    ...overrides,
  };
}

function report(
  service: ServiceReport['service'],
  profile: ServiceReport['profile'],
  state: ServiceReport['state'],
  extra: Partial<ServiceReport> = {},
): ServiceReport {
  return { service, profile, provider: profile, state, ...extra };
}

function byId(findings: Finding[], id: string): Finding {
  const f = findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id} among ${findings.map((x) => x.id).join(', ')}`);
  return f;
}

describe('doctor findings', () => {
  it('makes a native PostgreSQL without initdb an error with the apt-get fix; the binary finding only warns', () => {
    const f = diagnose(
      facts(
        { NOVA_PROFILE: 'native' },
        { services: [report('postgres', 'native', 'stopped')] },
        { initdb: null, pg_ctl: null, postgres: null },
      ),
    );
    const service = byId(f, 'service-postgres');
    expect(service.severity).toBe('error');
    expect(service.title).toContain('initdb');
    expect(service.fix).toContain('apt-get install postgresql-15');
    expect(byId(f, 'binary-initdb')).toMatchObject({ severity: 'warn' });
    expect(byId(f, 'binary-pg-ctl').fix).toContain('NOVA_BIN_SEARCH_DIRS');
    expect(f.filter((x) => x.severity === 'error')).toHaveLength(1);
  });

  it('does not count a program that no configured profile needs as a problem', () => {
    const f = diagnose(facts({ NOVA_PROFILE: 'embedded' }, {}, { 'redis-server': null }));
    expect(byId(f, 'binary-redis-server')).toMatchObject({ severity: 'ok' });
    expect(byId(f, 'binary-redis-server').fix).toContain('apt-get install redis-server');
    expect(byId(f, 'binary-mongod')).toMatchObject({ severity: 'ok' });
  });

  it('warns (not errors) for native MongoDB without mongod: documents fall back to PostgreSQL', () => {
    const f = diagnose(
      facts({ NOVA_PROFILE: 'native' }, { services: [report('mongo', 'native', 'stopped')] }),
    );
    expect(byId(f, 'service-mongo')).toMatchObject({ severity: 'warn' });
    expect(byId(f, 'binary-mongod')).toMatchObject({ severity: 'warn' });
  });

  it('makes the docker profile with the engine down an error carrying detection’s fix', () => {
    const f = diagnose(
      facts({ NOVA_PROFILE: 'docker' }, { services: [report('redis', 'docker', 'stopped')] }),
    );
    expect(byId(f, 'service-redis')).toMatchObject({
      severity: 'error',
      title: 'Redis (docker) cannot start: the Docker engine is not running',
      fix: 'Run `sudo systemctl start docker`.',
    });
    // The detection finding warns; the error is counted once, on the service.
    expect(byId(f, 'docker-engine')).toMatchObject({
      severity: 'warn',
      fix: 'Run `sudo systemctl start docker`.',
      data: { client: '28.2.2', server: null },
    });
  });

  it('reports an unreachable external server as an error with a fix naming the URL variable', () => {
    const f = diagnose(
      facts(
        {
          NOVA_PROFILE: 'external',
          POSTGRES_URL: 'postgres://u:secret@db:5432/x',
          MONGODB_URL: 'mongodb://m',
          REDIS_URL: 'redis://r',
        },
        {
          services: [
            report('postgres', 'external', 'failed', {
              url: 'postgres://u:***@db:5432/x',
              reason: 'connection refused',
            }),
          ],
        },
      ),
    );
    const service = byId(f, 'service-postgres');
    expect(service).toMatchObject({
      severity: 'error',
      title: 'PostgreSQL (external): not reachable',
    });
    expect(service.fix).toContain('POSTGRES_URL');
  });

  it('turns the data dir error into the data-dir finding and still reports the machine', () => {
    const f = diagnose(
      facts(
        {},
        {
          config: {
            ok: false,
            error: {
              name: 'NovaError',
              code: 'DATA_DIR_NOT_WRITABLE',
              message:
                'The data directory /x/y is not writable: part of the path is a file, not a directory.',
              fix: 'Choose another directory with --data-dir DIR.',
            },
          },
        },
      ),
    );
    expect(byId(f, 'data-dir')).toMatchObject({
      severity: 'error',
      fix: 'Choose another directory with --data-dir DIR.',
    });
    expect(f.some((x) => x.id === 'config' || x.id.startsWith('service-'))).toBe(false);
    expect(byId(f, 'binary-initdb').severity).toBe('ok');
  });

  it('reports a damaged cluster, a root user who cannot reach the data dir, and a taken fixed port', () => {
    const f = diagnose(
      facts(
        { NOVA_PROFILE: 'native', NOVA_NATIVE_REDIS_PORT: 6390 },
        {
          postgresCluster: {
            ok: false,
            path: '/srv/nova/services/postgres/data',
            error: {
              name: 'NovaError',
              code: 'DB_CORRUPT',
              message: 'damaged',
              fix: 'Move the folder aside.',
            },
          },
          postgresOsUser: {
            ok: false,
            error: {
              name: 'NovaError',
              code: 'DATA_DIR_NOT_WRITABLE',
              message: 'cannot reach',
              fix: 'Not under /root.',
            },
          },
          fixedPorts: [{ service: 'redis', port: 6390, free: false }],
        },
      ),
    );
    expect(byId(f, 'postgres-cluster')).toMatchObject({
      severity: 'error',
      fix: 'Move the folder aside.',
    });
    expect(byId(f, 'postgres-os-user')).toMatchObject({
      severity: 'error',
      fix: 'Not under /root.',
    });
    expect(byId(f, 'port-redis')).toMatchObject({ severity: 'error', data: { port: 6390 } });
    expect(byId(f, 'port-redis').fix).toContain('NOVA_NATIVE_REDIS_PORT');
  });

  it('tells a confirmed server from a port held by something else', () => {
    const f = diagnose(
      facts(
        {},
        {
          detection: {
            docker: DOCKER_DOWN,
            binaries: ALL_BINARIES,
            listening: [
              {
                service: 'postgres',
                host: '127.0.0.1',
                port: 5432,
                confirmed: true,
                version: '15.2',
                detail: 'PostgreSQL',
              },
              {
                service: 'mongo',
                host: '127.0.0.1',
                port: 27017,
                confirmed: false,
                detail: 'port open but not a MongoDB server',
              },
            ],
          },
        },
      ),
    );
    expect(byId(f, 'listening-postgres-5432')).toMatchObject({
      severity: 'ok',
      data: { port: 5432, confirmed: true },
    });
    expect(byId(f, 'listening-mongo-27017')).toMatchObject({ severity: 'warn' });
  });

  it('builds a report that matches the published schema, with kebab-case ids and counts that add up', () => {
    const r = buildDoctorReport(
      facts(
        { NOVA_PROFILE: 'native' },
        {
          services: [
            report('postgres', 'native', 'healthy', {
              port: 41000,
              pid: 123,
              url: 'postgres://nova:***@127.0.0.1:41000/nova',
            }),
          ],
        },
        { initdb: null },
      ),
      new Date('2026-01-02T03:04:05Z'),
    );
    expect(doctorReportSchema.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({
      version: 1,
      checkedAt: '2026-01-02T03:04:05.000Z',
      dataDir: '/srv/nova',
    });
    expect(r.ok).toBe(false);
    for (const f of r.findings) {
      expect(f.id).toMatch(FINDING_ID);
      if (f.severity !== 'ok') expect(f.fix, f.id).toBeTruthy();
    }
    expect(r.counts.ok + r.counts.warn + r.counts.error).toBe(r.findings.length);
    expect(new Set(r.findings.map((f) => f.id)).size).toBe(r.findings.length);
  });

  it('rejects a report with a field the schema (and the docs) do not know', () => {
    const r = buildDoctorReport(facts({}));
    expect(doctorReportSchema.safeParse({ ...r, extra: 1 }).success).toBe(false);
    const finding = { ...r.findings[0]!, hint: 'x' };
    expect(doctorReportSchema.safeParse({ ...r, findings: [finding] }).success).toBe(false);
    expect(
      doctorReportSchema.safeParse({ ...r, findings: [{ ...r.findings[0]!, id: 'Not_Kebab' }] })
        .success,
    ).toBe(false);
  });
});

describe('native options from the configuration', () => {
  it('splits NOVA_BIN_SEARCH_DIRS like PATH and passes fixed ports', () => {
    const config = configSchema.parse({
      NOVA_DATA_DIR: '/d',
      NOVA_BIN_SEARCH_DIRS: '/opt/pg/bin: /opt/redis/bin::',
      NOVA_NATIVE_REDIS_PORT: '7000',
    });
    expect(nativeOptionsFromConfig(config, 'linux')).toEqual({
      searchDirs: ['/opt/pg/bin', '/opt/redis/bin'],
      ports: { redis: 7000 },
    });
    expect(searchDirsFromConfig({ NOVA_BIN_SEARCH_DIRS: 'C:\\pg\\bin;D:\\r' }, 'win32')).toEqual([
      'C:\\pg\\bin',
      'D:\\r',
    ]);
    expect(nativeOptionsFromConfig(configSchema.parse({ NOVA_DATA_DIR: '/d' }))).toEqual({});
    expect(fixedNativePorts(configSchema.parse({ NOVA_DATA_DIR: '/d' }))).toEqual({});
  });

  it('rejects a fixed port that is not a TCP port, naming the variable', () => {
    const r = configSchema.safeParse({ NOVA_DATA_DIR: '/d', NOVA_NATIVE_POSTGRES_PORT: '70000' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['NOVA_NATIVE_POSTGRES_PORT']);
  });
});
