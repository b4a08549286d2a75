import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../../main/core/errors.js';
import {
  COMPOSE_PROJECT,
  composeDown,
  composeLogs,
  composePs,
  composeStop,
  composeUp,
  composeVersion,
  dockerClientVersion,
  dockerInfo,
  type ComposeTarget,
} from '../../../../main/core/services/docker/compose-commands.js';

const FILE = '/opt/nova-db/docker-compose.prod.yml';
const SECRET = 'pg-Secret-1234';
const target = (over: Partial<ComposeTarget> = {}): ComposeTarget => ({
  files: [FILE],
  invocation: 'plugin',
  env: { POSTGRES_PASSWORD: SECRET, NOVA_PG_PORT: '5433' },
  ...over,
});

function expectInvalid(fn: () => unknown, text: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isNovaError(caught, 'INVALID_ARGUMENT'), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(text);
  expect((caught as { fix?: string }).fix).toBeTruthy();
}

describe('compose command builders', () => {
  it('builds `docker compose -p nova-db -f ABS up -d SERVICE` with the secrets only in env', () => {
    const cmd = composeUp(target(), ['postgres']);
    expect(cmd.file).toBe('docker');
    expect(cmd.args).toEqual([
      'compose',
      '-p',
      COMPOSE_PROJECT,
      '-f',
      FILE,
      'up',
      '-d',
      'postgres',
    ]);
    expect(cmd.env.POSTGRES_PASSWORD).toBe(SECRET);
    expect(cmd.args.join(' ')).not.toContain(SECRET);
    expect(COMPOSE_PROJECT).toBe('nova-db');
  });

  it('runs the standalone Compose v2 binary with the same flags', () => {
    expect(composeUp(target({ invocation: 'standalone' }), ['redis'])).toMatchObject({
      file: 'docker-compose',
      args: ['-p', 'nova-db', '-f', FILE, 'up', '-d', 'redis'],
    });
  });

  it('passes several files in order and enables profiles', () => {
    const cmd = composeUp(target({ files: [FILE, '/opt/override.yml'], profiles: ['tools'] }), [
      'pgadmin',
    ]);
    expect(cmd.args).toEqual([
      'compose',
      '-p',
      'nova-db',
      '-f',
      FILE,
      '-f',
      '/opt/override.yml',
      '--profile',
      'tools',
      'up',
      '-d',
      'pgadmin',
    ]);
  });

  it('builds stop, down (never -v), ps --all --format json and logs', () => {
    const prefix = ['compose', '-p', 'nova-db', '-f', FILE];
    expect(composeStop(target(), ['mongo']).args).toEqual([...prefix, 'stop', 'mongo']);
    expect(composeDown(target()).args).toEqual([...prefix, 'down']);
    expect(composePs(target(), ['postgres']).args).toEqual([
      ...prefix,
      'ps',
      '--all',
      '--format',
      'json',
      'postgres',
    ]);
    expect(composePs(target()).args).toEqual([...prefix, 'ps', '--all', '--format', 'json']);
    expect(composeLogs(target(), 'redis', 50).args).toEqual([
      ...prefix,
      'logs',
      '--no-color',
      '--no-log-prefix',
      '--tail',
      '50',
      'redis',
    ]);
  });

  it('gives every compose command the interpolation variables (compose reads the file for ps and logs too)', () => {
    for (const cmd of [
      composePs(target()),
      composeLogs(target(), 'postgres', 1),
      composeDown(target()),
    ]) {
      expect(cmd.env).toEqual({ POSTGRES_PASSWORD: SECRET, NOVA_PG_PORT: '5433' });
    }
    const t = target();
    composeUp(t, ['postgres']).env.POSTGRES_PASSWORD = 'changed';
    expect(t.env.POSTGRES_PASSWORD).toBe(SECRET);
  });

  it('builds the detection commands without any secret', () => {
    expect(dockerInfo()).toEqual({
      file: 'docker',
      args: ['info', '--format', '{{json .}}'],
      env: {},
    });
    expect(dockerClientVersion()).toEqual({ file: 'docker', args: ['--version'], env: {} });
    expect(composeVersion('plugin')).toEqual({
      file: 'docker',
      args: ['compose', 'version'],
      env: {},
    });
    expect(composeVersion('standalone')).toEqual({
      file: 'docker-compose',
      args: ['version'],
      env: {},
    });
  });
});

describe('compose command builders refuse bad input', () => {
  it('refuses a relative or missing compose file', () => {
    expectInvalid(
      () => composeUp(target({ files: ['docker-compose.yml'] }), ['postgres']),
      /relative; it must be absolute/,
    );
    expectInvalid(() => composePs(target({ files: [] })), /No compose file/);
  });

  it('refuses service names that could be read as flags or split into words', () => {
    expectInvalid(() => composeUp(target(), ['-v']), /"-v" is not a valid Compose service name/);
    expectInvalid(() => composeStop(target(), ['--volumes']), /not a valid Compose service name/);
    expectInvalid(() => composePs(target(), ['a b']), /not a valid Compose service name/);
    expectInvalid(() => composeLogs(target(), '', 10), /not a valid Compose service name/);
  });

  it('refuses a bad profile name', () => {
    expectInvalid(
      () => composeUp(target({ profiles: ['--all'] }), ['postgres']),
      /not a valid Compose profile name/,
    );
  });

  it('refuses log counts that are not 1…10000', () => {
    for (const n of [0, -1, 1.5, 10_001, Number.NaN]) {
      expectInvalid(() => composeLogs(target(), 'postgres', n), /whole number from 1 to 10000/);
    }
  });
});
