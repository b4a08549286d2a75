import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { parsePort } from '../../../main/cli/commands/serve.js';
import { reportError } from '../../../main/cli/output.js';
import { runCli } from '../../../main/cli/run.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-cli-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs the CLI in-process with captured output; a shutdown request never comes. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { NOVA_DATA_DIR: path.join(root, 'data'), ...env },
    cwd: root,
    onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
  });
  return { code, stdout, stderr };
}

describe('nova-db command line', () => {
  it('prints help and version on stdout with exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: nova-db');
    expect(help.stdout).toContain('--data-dir <dir>');
    expect(help.stdout).toContain('serve');
    const version = await cli(['--version']);
    // The commit of the build follows the version (test/unit/cli/version.test.ts).
    expect(version).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^0\.1\.0 \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$/),
    });
  });

  it('answers an unknown command with exit 2 and a one-line reason plus a suggestion', async () => {
    const r = await cli(['serv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'nova-db: unknown command \'serv\' (Did you mean serve?)\nfix: run "nova-db --help" for usage.\n',
    );
    expect(r.stdout).toBe('');
  });

  it('adds the error as JSON on stdout with --json', async () => {
    const r = await cli(['--json', 'bogus']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        name: 'UsageError',
        code: 'INVALID_ARGUMENT',
        message: "unknown command 'bogus'",
        fix: 'Run nova-db --help for usage.',
      },
    });
  });

  it.each(['abc', '70000', '-1', '12.5', ''])(
    'refuses --port %j as a usage error naming --port and NOVA_PORT',
    async (port) => {
      const r = await cli(['serve', '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(
        /^nova-db: option '--port <port>' argument '.*' is invalid\. --port \(NOVA_PORT\) must be a whole number from 0 to 65535/,
      );
    },
  );

  it('reports a bad NOVA_PORT from the environment with exit 1, its source and a fix', async () => {
    const r = await cli(['serve'], { NOVA_PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'nova-db: Invalid configuration: NOVA_PORT: must be a number (got "abc", from the environment)\n' +
        'fix: Correct each setting named above, or remove it to use its default; every setting is documented in .env.example.\n',
    );
    expect(r.stdout).toBe('');
  });

  it('reports configuration errors as JSON too with --json, global option after the command', async () => {
    const r = await cli(['serve', '--json', '--host', ''], {
      POSTGRES_URL: 'http://nova:hunter2@db/nova',
    });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout) as {
      error: { code: string; message: string; fix: string };
    };
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(
      'NOVA_HOST: must not be empty (got "", from --host on the command line)',
    );
    expect(error.message).toContain('POSTGRES_URL: must be a URL starting with postgres://');
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('reports an unusable --data-dir with exit 1 and how to choose another', async () => {
    await writeFile(path.join(root, 'a-file'), 'x');
    const r = await cli(['serve', '--data-dir', path.join(root, 'a-file', 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `nova-db: The data directory ${path.join(root, 'a-file', 'data')} is not writable`,
    );
    expect(r.stderr).toContain(
      'fix: Choose another directory with --data-dir DIR or the NOVA_DATA_DIR environment variable',
    );
  });
});

describe('parsePort', () => {
  it('accepts 0 (any free port) through 65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('4730')).toBe(4730);
    expect(parsePort('65535')).toBe(65535);
  });
});

describe('reportError', () => {
  it('turns an unexpected error into INTERNAL with exit 1, masking secrets', () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) };
    expect(reportError(io, new Error('connect postgres://u:hunter2@h failed'), true)).toBe(1);
    expect(err).toContain('nova-db: Unexpected error: connect postgres://u:***@h failed');
    expect(JSON.parse(out).error.code).toBe('INTERNAL');
    expect(out + err).not.toContain('hunter2');
  });

  it('prints a NovaError with its fix line', () => {
    let err = '';
    reportError(
      { stdout: () => undefined, stderr: (s) => void (err += s) },
      new NovaError('PORT_IN_USE', 'Port 1 is busy.', { fix: 'Use --port.' }),
      false,
    );
    expect(err).toBe('nova-db: Port 1 is busy.\nfix: Use --port.\n');
  });
});
