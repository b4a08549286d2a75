/**
 * Error outputs of real docker runs → NovaError codes with a message that
 * says what is wrong and a fix that says what to do.
 */
import { describe, expect, it } from 'vitest';
import {
  FIX_DOCKER_GROUP,
  FIX_INSTALL_COMPOSE_V2,
  FIX_START_ENGINE,
  classifyDockerFailure,
  type PortOwner,
} from '../../../../main/core/services/docker/classify-docker-error.js';
import type {
  CommandResult,
  CommandSpec,
} from '../../../../main/core/services/docker/command-runner.js';
import { CommandError } from '../../../../main/core/services/run-command.js';
import { recorded } from './replay.js';

const UP: CommandSpec = {
  file: 'docker',
  args: [
    'compose',
    '-p',
    'nova-db',
    '-f',
    '/opt/nova/docker-compose.prod.yml',
    'up',
    '-d',
    'postgres',
  ],
  env: { POSTGRES_PASSWORD: 'hunter2-secret' },
};
const OWNERS = new Map<number, PortOwner>([
  [5432, { label: 'PostgreSQL', variable: 'NOVA_PG_PORT' }],
]);

const classify = (result: CommandResult, command: CommandSpec = UP) =>
  classifyDockerFailure({
    what: 'Starting PostgreSQL',
    command,
    result,
    portOwners: OWNERS,
    secrets: ['hunter2-secret'],
  });

describe('classifyDockerFailure', () => {
  it('daemon not running (recorded here, Docker 28 on Linux)', () => {
    const err = classify(recorded('docker-info-daemon-not-running'), {
      file: 'docker',
      args: ['info'],
      env: {},
    });
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.kind).toBe('engine-down');
    expect(err.message).toBe(
      'Starting PostgreSQL failed: Docker is installed but its engine is not running (nothing answers at unix:///var/run/docker.sock).',
    );
    expect(err.fix).toBe(FIX_START_ENGINE);
    expect(err.fix).toContain('sudo systemctl start docker');
    expect(err.fix).toContain('Docker Desktop');
  });

  it('daemon not running on Windows (named pipe wording)', () => {
    const err = classify(recorded('compose-daemon-not-running-windows'));
    expect(err.kind).toBe('engine-down');
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.fix).toBe(FIX_START_ENGINE);
  });

  it('permission denied on the socket, both wordings, with the docker-group fix', () => {
    for (const name of ['docker-info-permission-denied', 'compose-permission-denied-docker-api']) {
      const err = classify(recorded(name));
      expect(err.code, name).toBe('SERVICE_UNAVAILABLE');
      expect(err.kind, name).toBe('permission-denied');
      expect(err.message, name).toContain('permission denied on /var/run/docker.sock');
      expect(err.fix).toBe(FIX_DOCKER_GROUP);
      expect(err.fix).toContain('usermod -aG docker');
    }
  });

  it('compose plugin missing: CLI 28, CLI ≤ 27, and the flag error of `docker compose -p …` (compose v1 only)', () => {
    for (const name of [
      'docker-compose-plugin-missing',
      'docker-compose-not-a-docker-command',
      'docker-compose-plugin-missing-ps',
    ]) {
      const err = classify(recorded(name));
      expect(err.code, name).toBe('BINARY_MISSING');
      expect(err.kind, name).toBe('compose-missing');
      expect(err.message).toContain('Docker Compose v2 (`docker compose`) is not installed');
      expect(err.fix).toBe(FIX_INSTALL_COMPOSE_V2);
      expect(err.fix).toContain('docker-compose-plugin');
    }
  });

  it('the same "unknown flag" from a non-compose command is not taken for a missing plugin', () => {
    const err = classify(recorded('docker-compose-plugin-missing-ps'), {
      file: 'docker',
      args: ['info'],
      env: {},
    });
    expect(err.kind).toBe('other');
  });

  it('port already allocated, naming the port and the setting that moves it', () => {
    const allocated = classify(recorded('compose-up-port-already-allocated'));
    expect(allocated.code).toBe('PORT_IN_USE');
    expect(allocated.message).toBe(
      'Starting PostgreSQL failed: Port 6060 on 0.0.0.0 is already in use by another program or container.',
    );
    expect(allocated.fix).toContain("ss -ltnp 'sport = :6060'");

    const inUse = classify(recorded('compose-up-address-in-use'));
    expect(inUse.code).toBe('PORT_IN_USE');
    expect(inUse.message).toContain("PostgreSQL's port 5432 on 0.0.0.0 is already in use");
    expect(inUse.fix).toContain('NOVA_PG_PORT');

    const desktop = classify(recorded('compose-up-ports-not-available-desktop'));
    expect(desktop.code).toBe('PORT_IN_USE');
    expect(desktop.message).toContain("PostgreSQL's port 5432");
  });

  it('image pull without network: says the registry is unreachable and how to proceed', () => {
    const err = classify(recorded('compose-up-pull-no-network'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.kind).toBe('registry-unreachable');
    expect(err.message).toBe(
      'Starting PostgreSQL failed: Docker could not download the database images: the registry registry-1.docker.io is unreachable (no such host).',
    );
    expect(err.fix).toMatch(/internet.*docker load/);
  });

  it('docker not installed (recorded here through execa: ENOENT)', () => {
    const err = classify(recorded('docker-client-absent'), {
      file: 'docker',
      args: ['info'],
      env: {},
    });
    expect(err.code).toBe('BINARY_MISSING');
    expect(err.kind).toBe('docker-missing');
    expect(err.exitCode).toBeNull();
    expect(err.fix).toMatch(/Install Docker Desktop.*native profile/);
  });

  it('keeps the command, the exit code and the stderr tail, without secrets', () => {
    const result = recorded('compose-up-address-in-use');
    const err = classify({
      ...result,
      stderr: `${result.stderr}\npassword=hunter2-secret leaked by a plugin`,
    });
    expect(err).toBeInstanceOf(CommandError);
    expect(err.command).toBe(
      'docker compose -p nova-db -f /opt/nova/docker-compose.prod.yml up -d postgres',
    );
    expect(err.exitCode).toBe(1);
    expect(err.stderrTail).toContain('listen tcp4 0.0.0.0:5432: bind: address already in use');
    expect(err.stderrTail).not.toContain('hunter2-secret');
  });

  it('an unrecognised failure still says what ran, how it ended and its last line', () => {
    const err = classify(recorded('docker-compose-v1-rejects-name'), {
      file: 'docker-compose',
      args: ['-p', 'nova-db', 'ps'],
      env: {},
    });
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.kind).toBe('other');
    expect(err.message).toMatch(
      /`docker-compose -p nova-db ps` exited with code 1: For more on the Compose file format/,
    );
    expect(err.fix).toBe('Run `docker-compose -p nova-db ps` yourself to see the full output.');
  });

  it('a timed-out command is a TIMEOUT', () => {
    const err = classify({
      exitCode: null,
      stdout: '',
      stderr: '',
      spawnError: null,
      timedOut: true,
    });
    expect(err.code).toBe('TIMEOUT');
  });
});
