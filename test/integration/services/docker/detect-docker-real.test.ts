/**
 * detectDocker against the REAL docker client of this machine (no mocks, no
 * replay): the development and CI machines have the client but no engine, so
 * the report must say "installed but not running" with the fix to start it.
 * On a machine without the client it must say "absent"; on one with a
 * working engine, "running".
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FIX_DOCKER_GROUP,
  FIX_INSTALL_DOCKER,
  FIX_START_ENGINE,
} from '../../../../main/core/services/docker/classify-docker-error.js';
import { execaRunner } from '../../../../main/core/services/docker/command-runner.js';
import { detectDocker } from '../../../../main/core/services/docker/detect-docker.js';
import { loadDockerModule } from '../../../../main/core/services/docker-module.js';

const hasClient = (await execa('docker', ['--version'], { reject: false })).exitCode === 0;
const socketPath = '/var/run/docker.sock';
const engineReachable =
  hasClient && (await execa('docker', ['info'], { reject: false })).exitCode === 0;

describe('detectDocker on this machine (real commands)', () => {
  it.runIf(hasClient && !engineReachable)(
    'reports the client and an engine that is not running, with the fix',
    async () => {
      const report = await detectDocker();
      const version = (await execa('docker', ['--version'])).stdout;
      expect(report.client).not.toBeNull();
      expect(version).toContain(report.client!);
      expect(report.engine).toBe('not-running');
      expect(report.versions.server).toBeUndefined();
      if (existsSync(socketPath) && !process.env.DOCKER_HOST) {
        // A socket this user may not open, or a dead socket file.
        expect([FIX_DOCKER_GROUP, FIX_START_ENGINE]).toContain(report.fix);
      } else {
        expect(report.reason).toMatch(/^Docker is installed but its engine is not running/);
        expect(report.fix).toBe(FIX_START_ENGINE);
      }
      expect(report.problems[0]!.code).toBe('SERVICE_UNAVAILABLE');
    },
  );

  it.runIf(engineReachable)('reports a running engine', async () => {
    const report = await detectDocker();
    expect(report.engine).toBe('running');
    expect(report.versions.server).toBeTruthy();
  });

  it.runIf(!hasClient)('reports Docker as absent with the install fix', async () => {
    const report = await detectDocker();
    expect(report).toMatchObject({ client: null, engine: 'absent', fix: FIX_INSTALL_DOCKER });
  });

  it('is what the shared detection module loads and calls', async () => {
    const load = await loadDockerModule();
    expect(load.module).not.toBeNull();
    const report = await load.module!.detectDocker();
    expect(['running', 'not-running', 'absent']).toContain(report.engine);
    expect(typeof load.module!.createDockerProvider).toBe('function');
  });
});

describe('the execa runner (real process spawning)', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'nova-empty-path-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('reports a program that is not installed as ENOENT, and detection as absent', async () => {
    const result = await execaRunner({ file: 'docker', args: ['info'], env: { PATH: empty } });
    expect(result).toMatchObject({ exitCode: null, spawnError: 'ENOENT', timedOut: false });
    const report = await detectDocker({
      runner: (spec) => execaRunner({ ...spec, env: { ...spec.env, PATH: empty } }),
    });
    expect(report).toMatchObject({
      client: null,
      engine: 'absent',
      compose: null,
      fix: FIX_INSTALL_DOCKER,
    });
  });

  it('captures stdout, stderr and the exit code of an argument array (no shell)', async () => {
    const result = await execaRunner({
      file: process.execPath,
      args: [
        '-e',
        'process.stdout.write(process.argv[1]); process.stderr.write("err"); process.exit(3)',
        '$HOME; echo x',
      ],
      env: {},
    });
    expect(result).toEqual({
      exitCode: 3,
      stdout: '$HOME; echo x',
      stderr: 'err',
      spawnError: null,
      timedOut: false,
    });
  });

  it('kills a command that overruns its budget and says so', async () => {
    const result = await execaRunner({
      file: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 10000)'],
      env: {},
      timeoutMs: 200,
    });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
  });
});
