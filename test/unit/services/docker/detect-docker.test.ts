/**
 * detectDocker over recorded outputs: each machine situation is the
 * sequence of real outputs such a machine prints for the three checks.
 */
import { describe, expect, it } from 'vitest';
import {
  FIX_DOCKER_GROUP,
  FIX_INSTALL_COMPOSE_V2,
  FIX_INSTALL_DOCKER,
  FIX_START_ENGINE,
} from '../../../../main/core/services/docker/classify-docker-error.js';
import { detectDocker } from '../../../../main/core/services/docker/detect-docker.js';
import { replay, type Step } from './replay.js';

const INFO = ['docker', 'info', '--format', '{{json .}}'];
const PLUGIN = ['docker', 'compose', 'version'];
const STANDALONE = ['docker-compose', 'version'];
// execa's answer for a program that is not installed (recorded for `docker`; the same for any name).
const NOT_INSTALLED = 'docker-client-absent';

async function detect(steps: Step[]) {
  const r = replay(steps);
  const report = await detectDocker({ runner: r.runner });
  expect(r.remaining()).toEqual([]);
  return { report, calls: r.calls };
}

describe('detectDocker', () => {
  it('this machine: client 28.2.2, engine not running, no compose (all recorded here)', async () => {
    const { report, calls } = await detect([
      { tail: INFO, reply: 'docker-info-daemon-not-running' },
      { tail: PLUGIN, reply: 'docker-compose-plugin-missing' },
      { tail: STANDALONE, reply: NOT_INSTALLED },
    ]);
    expect(report).toMatchObject({
      client: '28.2.2',
      engine: 'not-running',
      compose: null,
      versions: { client: '28.2.2' },
      invocation: null,
      reason:
        'Docker is installed but its engine is not running (nothing answers at unix:///var/run/docker.sock).',
      fix: FIX_START_ENGINE,
    });
    expect(report.problems.map((p) => p.kind)).toEqual(['engine-down', 'compose-missing']);
    expect(calls.every((c) => Object.keys(c.env).length === 0)).toBe(true);
  });

  it('a working Docker Desktop with the compose plugin', async () => {
    const { report } = await detect([
      { tail: INFO, reply: 'docker-info-running-desktop' },
      { tail: PLUGIN, reply: 'compose-version-v2' },
    ]);
    expect(report).toEqual({
      client: '24.0.6',
      engine: 'running',
      compose: 'v2',
      versions: { client: '24.0.6', server: '24.0.6', compose: '2.21.0' },
      invocation: 'plugin',
      problems: [],
    });
  });

  it('compose v1 only: engine running, docker-compose 1.29.2, no plugin', async () => {
    const { report } = await detect([
      { tail: INFO, reply: 'docker-info-running-desktop' },
      { tail: PLUGIN, reply: 'docker-compose-plugin-missing' },
      { tail: STANDALONE, reply: 'docker-compose-v1-version' },
    ]);
    expect(report.engine).toBe('running');
    expect(report.compose).toBe('v1');
    expect(report.versions.compose).toBe('1.29.2');
    expect(report.invocation).toBeNull();
    expect(report.reason).toBe(
      'Only Docker Compose v1 (docker-compose 1.29.2) is installed; Compose v2 (`docker compose`) is required.',
    );
    expect(report.fix).toBe(FIX_INSTALL_COMPOSE_V2);
  });

  it('Compose v2 installed as the standalone docker-compose binary', async () => {
    const { report } = await detect([
      { tail: INFO, reply: 'docker-info-running-desktop' },
      { tail: PLUGIN, reply: 'docker-compose-not-a-docker-command' },
      { tail: STANDALONE, reply: 'compose-version-v2' },
    ]);
    expect(report).toMatchObject({ compose: 'v2', invocation: 'standalone', problems: [] });
  });

  it('no docker client at all', async () => {
    const { report } = await detect([
      { tail: INFO, reply: NOT_INSTALLED },
      { tail: STANDALONE, reply: NOT_INSTALLED },
    ]);
    expect(report).toMatchObject({
      client: null,
      engine: 'absent',
      compose: null,
      versions: {},
      reason: 'Docker is not installed (no `docker` program on PATH).',
      fix: FIX_INSTALL_DOCKER,
    });
  });

  it('permission denied on the socket (recorded here): not usable, with the docker-group fix', async () => {
    const { report } = await detect([
      { tail: INFO, reply: 'docker-info-permission-denied' },
      { tail: PLUGIN, reply: 'compose-version-v2' },
    ]);
    expect(report).toMatchObject({
      client: '28.2.2',
      engine: 'not-running',
      compose: 'v2',
      reason:
        'Docker is running but this user may not use it: permission denied on /var/run/docker.sock.',
      fix: FIX_DOCKER_GROUP,
    });
  });

  it('an older client that reports the engine error inside the JSON and no client version', async () => {
    const { report } = await detect([
      { tail: INFO, reply: 'docker-info-server-errors-legacy' },
      { tail: ['docker', '--version'], reply: 'docker-version-flag' },
      { tail: PLUGIN, reply: 'compose-version-v2' },
    ]);
    expect(report).toMatchObject({
      client: '28.2.2',
      engine: 'not-running',
      fix: FIX_START_ENGINE,
    });
  });
});
