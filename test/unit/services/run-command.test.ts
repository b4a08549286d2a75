import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../main/core/errors.js';
import {
  CommandError,
  displayCommand,
  runCommand,
  tailLines,
} from '../../../main/core/services/run-command.js';

async function failure(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return err as CommandError;
  }
  throw new Error('expected the command to fail');
}

describe('runCommand', () => {
  it('returns stdout of a successful program; arguments are never interpreted by a shell', async () => {
    const r = await runCommand('printf', [
      '%s|',
      'a b',
      '$(touch /tmp/nova-should-not-exist)',
      ';rm -rf /',
    ]);
    expect(r.stdout).toBe('a b|$(touch /tmp/nova-should-not-exist)|;rm -rf /|');
    expect(r.exitCode).toBe(0);
  });

  it('a missing program is BINARY_MISSING with the fix given', async () => {
    const e = await failure(
      runCommand('/nonexistent/initdb', ['-D', 'x'], { fix: 'apt-get install postgresql-15' }),
    );
    expect(isNovaError(e, 'BINARY_MISSING')).toBe(true);
    expect(e.fix).toBe('apt-get install postgresql-15');
  });

  it('a non-zero exit keeps the command, the exit code and the tail of stderr', async () => {
    const script = 'for i in $(seq 1 40); do echo "line $i" >&2; done; exit 3';
    const e = await failure(
      runCommand('sh', ['-c', script], { what: 'initdb', failureCode: 'SERVICE_UNAVAILABLE' }),
    );
    expect(e.code).toBe('SERVICE_UNAVAILABLE');
    expect(e.exitCode).toBe(3);
    expect(e.command).toContain('sh -c');
    expect(e.stderrTail.split('\n')).toHaveLength(15);
    expect(e.stderrTail).toMatch(/line 40$/);
    expect(e.stderrTail).not.toContain('line 25\n');
    expect(e.message).toMatch(/^initdb failed: `sh -c .*` exited with code 3:\n/);
  });

  it('an overrunning program is killed and reported as TIMEOUT', async () => {
    const started = Date.now();
    const e = await failure(runCommand('sleep', ['5'], { timeoutMs: 200 }));
    expect(e.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('never shows secrets from the command line or stderr', async () => {
    const e = await failure(
      runCommand('sh', [
        '-c',
        'echo "password=hunter2hunter2" >&2; exit 1',
        'postgres://u:s3cretpw@h/db',
      ]),
    );
    expect(e.message).not.toContain('hunter2hunter2');
    expect(e.message).not.toContain('s3cretpw');
    expect(displayCommand('psql', ['postgres://nova:abc123@127.0.0.1/nova'])).toBe(
      'psql postgres://nova:***@127.0.0.1/nova',
    );
  });
});

describe('tailLines', () => {
  it('keeps the last non-empty lines', () => {
    expect(tailLines('a\n\nb\r\nc\n\n', 2)).toBe('b\nc');
  });
});
