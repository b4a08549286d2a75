import { describe, expect, it } from 'vitest';
import { parseComposeVersion } from '../../../../main/core/services/docker/parse-compose-version.js';
import {
  parseDockerInfo,
  parseDockerVersionFlag,
} from '../../../../main/core/services/docker/parse-docker-info.js';
import { loadFixture } from './replay.js';

const info = (name: string) => {
  const f = loadFixture(name);
  return parseDockerInfo(f.stdout, f.stderr);
};

describe('parseDockerInfo', () => {
  it('reads a running engine (Docker Desktop 24.0.6)', () => {
    expect(info('docker-info-running-desktop')).toEqual({
      clientVersion: '24.0.6',
      serverVersion: '24.0.6',
      serverError: null,
      composePluginVersion: 'v2.23.0-desktop.1',
      operatingSystem: 'Docker Desktop',
    });
  });

  it('reads the client-only document of Docker 28 with the reason on stderr (recorded here)', () => {
    expect(info('docker-info-daemon-not-running')).toEqual({
      clientVersion: '28.2.2',
      serverVersion: null,
      serverError:
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      composePluginVersion: null,
      operatingSystem: null,
    });
  });

  it('reads the ServerErrors array of older clients', () => {
    const r = info('docker-info-server-errors-legacy');
    expect(r.serverVersion).toBeNull();
    expect(r.serverError).toBe(
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    );
  });

  it('keeps the permission-denied reason (recorded here)', () => {
    expect(info('docker-info-permission-denied').serverError).toMatch(
      /^permission denied while trying to connect to the Docker daemon socket at unix:\/\/\/var\/run\/docker\.sock/,
    );
  });

  it('never throws on output that is not JSON', () => {
    expect(parseDockerInfo('', '')).toEqual({
      clientVersion: null,
      serverVersion: null,
      serverError: null,
      composePluginVersion: null,
      operatingSystem: null,
    });
    expect(parseDockerInfo('{"ServerVersion":', 'boom').serverError).toBe('boom');
  });
});

describe('parseDockerVersionFlag', () => {
  it('reads `docker --version` (recorded here)', () => {
    expect(parseDockerVersionFlag(loadFixture('docker-version-flag').stdout)).toBe('28.2.2');
    expect(parseDockerVersionFlag('podman version 4.3.1')).toBeNull();
  });
});

describe('parseComposeVersion', () => {
  it('reads the Compose v2 plugin banner', () => {
    expect(parseComposeVersion(loadFixture('compose-version-v2').stdout)).toEqual({
      generation: 'v2',
      version: '2.21.0',
      major: 2,
    });
  });

  it('reads the Python docker-compose v1 banner (recorded here)', () => {
    expect(parseComposeVersion(loadFixture('docker-compose-v1-version').stdout)).toEqual({
      generation: 'v1',
      version: '1.29.2',
      major: 1,
    });
    expect(parseComposeVersion('docker-compose version 1.29.2, build 5becea4c')).toMatchObject({
      generation: 'v1',
    });
  });

  it('reads short and distribution forms, and Compose 5 as the same generation as 2', () => {
    expect(parseComposeVersion('2.21.0')).toMatchObject({ generation: 'v2', version: '2.21.0' });
    expect(parseComposeVersion('Docker Compose version 2.20.2+ds1-0ubuntu1~22.04.1')).toMatchObject(
      {
        generation: 'v2',
        version: '2.20.2+ds1-0ubuntu1~22.04.1',
      },
    );
    expect(parseComposeVersion('Docker Compose version v5.1.4')).toMatchObject({
      generation: 'v2',
      major: 5,
    });
  });

  it('returns null for anything else, e.g. the error of a missing plugin', () => {
    expect(parseComposeVersion(loadFixture('docker-compose-plugin-missing').stderr)).toBeNull();
    expect(parseComposeVersion('')).toBeNull();
  });
});
