/**
 * status / down / up in-process (runCli with captured output) for the
 * cases that need no server: embedded and external profiles, invalid
 * settings, usage errors. The native lifecycle runs the built bin in
 * test/integration/cli/services-cli.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { runCli } from '../../../main/cli/run.js';
import { toOneLineError } from '../../../main/cli/views/one-line-errors.js';
import { createLogger } from '../../../main/core/logger.js';
import type { CliContext } from '../../../main/cli/context.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-cli-services-unit-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env,
    cwd: root,
    onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
  });
  return { code, stdout, stderr };
}

describe('status, up and down without servers', () => {
  it('status with every service embedded: all healthy in-process, exit 0, no credentials created', async () => {
    const dataDir = path.join(root, 'embedded');
    const r = await cli(['status', '--json', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dataDir,
      services: ['postgres', 'mongo', 'redis'].map((service) => ({
        service,
        profile: 'embedded',
        provider: 'embedded',
        state: 'healthy',
        reason: 'embedded: runs inside Nova, nothing to start',
      })),
    });
    expect(existsSync(path.join(dataDir, 'credentials.json'))).toBe(false);

    const human = await cli(['status', '--data-dir', dataDir]);
    expect(human.stdout.split('\n')[0]).toMatch(/^SERVICE +PROFILE +STATE +PORT +PID +URL$/);
    expect(human.stdout).toMatch(/^redis +embedded +healthy +- +- +-$/m);
  });

  it('down leaves external servers alone and has nothing to stop for embedded ones', async () => {
    const r = await cli(['down', '--json', '--data-dir', path.join(root, 'external')], {
      NOVA_PROFILE: 'external',
      // Nothing listens there: down must not even try to reach them.
      POSTGRES_URL: 'postgres://u:secret@127.0.0.1:1/x',
      MONGODB_URL: 'mongodb://127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
      NOVA_MONGO_PROFILE: 'embedded',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      services: [
        { service: 'redis', profile: 'external', result: 'left-running' },
        { service: 'mongo', profile: 'embedded', result: 'in-process' },
        { service: 'postgres', profile: 'external', result: 'left-running' },
      ],
    });
  });

  it('up against an unreachable external server: its reason and fix, exit 1, password never shown', async () => {
    const r = await cli(
      ['up', '--json', '--service', 'postgres', '--data-dir', path.join(root, 'ext-up')],
      {
        NOVA_POSTGRES_PROFILE: 'external',
        POSTGRES_URL: 'postgres://u:s3cret-pw@127.0.0.1:1/x',
      },
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      failed: { service: string; error: { code: string } }[];
    };
    expect(out.ok).toBe(false);
    expect(out.failed).toEqual([
      { service: 'postgres', error: expect.objectContaining({ code: 'CONN_REFUSED' }) as unknown },
    ]);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nova-db: PostgreSQL at 127\.0\.0\.1:1 .* is not reachable/);
    expect(lines[1]).toMatch(/^fix: Check that the server is running/);
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
  });

  it('reports several invalid settings on one line, each named, plus the fix', async () => {
    const r = await cli(['status', '--data-dir', path.join(root, 'bad')], {
      NOVA_PROFILE: 'nativ',
      NOVA_NATIVE_REDIS_PORT: '99999',
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nova-db: Invalid configuration, 2 settings to fix: /);
    expect(lines[0]).toContain('NOVA_PROFILE');
    expect(lines[0]).toContain('NOVA_NATIVE_REDIS_PORT');
    expect(lines[1]).toMatch(/^fix: /);
  });

  it('refuses an unknown --service with exit 2 (and as JSON with --json)', async () => {
    const r = await cli([
      'down',
      '--service',
      'mysql',
      '--json',
      '--data-dir',
      path.join(root, 'u'),
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });

  it('lists the new commands in --help', async () => {
    const r = await cli(['--help']);
    for (const name of ['status', 'up', 'down', 'doctor'])
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});

describe('one-line errors', () => {
  const logged: string[] = [];
  const ctx = {
    logger: createLogger({
      env: { NOVA_LOG_LEVEL: 'debug' },
      write: (s: string) => void logged.push(s),
    }),
  } as unknown as CliContext;

  it('moves a log tail to the debug log and keeps code and fix', () => {
    const err = new NovaError(
      'PORT_IN_USE',
      'Redis could not listen on 127.0.0.1:7000.\nLog (/x/redis.log):\n# Address already in use',
      {
        fix: 'Stop the program using port 7000.',
      },
    );
    const one = toOneLineError(ctx, err) as NovaError;
    expect(one.message).toBe('Redis could not listen on 127.0.0.1:7000.');
    expect(one).toMatchObject({ code: 'PORT_IN_USE', fix: 'Stop the program using port 7000.' });
    expect(logged.join('')).toContain('Address already in use');
  });

  it('leaves single-line and non-Nova errors as they are', () => {
    const plain = new Error('boom\nstack-ish');
    expect(toOneLineError(ctx, plain)).toBe(plain);
    const single = new NovaError('TIMEOUT', 'slow');
    expect(toOneLineError(ctx, single)).toBe(single);
  });
});
