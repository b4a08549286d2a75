/**
 * The infrastructure failures a migration run can end with, as PostgreSQL,
 * Node and SQLite report them, each turned into a reason with a fix naming
 * --resume (run-failure.ts); anything else passes through untouched.
 */
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../../main/core/errors.js';
import { classifyRunFailure } from '../../../../main/core/migrate/run/run-failure.js';

/** An error shaped as `pg` reports a server error: SQLSTATE in `code`, and a severity. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

function errno(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code}: something`), { code, ...extra });
}

const context = { pg: null, startedAt: new Date() };

describe('classifyRunFailure', () => {
  it.each([
    ['57P01', /is shutting down \(SQLSTATE 57P01\)/],
    ['57P02', /crashed \(SQLSTATE 57P02\)/],
    ['57P03', /refuses sessions \(SQLSTATE 57P03\)/],
    ['08006', /closed the connection \(SQLSTATE 08006\)/],
    ['53100', /disk of the PostgreSQL server .* is full \(SQLSTATE 53100\)/],
  ])('SQLSTATE %s names the server and --resume', async (state, message) => {
    const out = await classifyRunFailure(serverError(state, 'x'), context);
    expect(out).toBeInstanceOf(NovaError);
    expect((out as NovaError).message).toMatch(message);
    expect((out as NovaError).fix).toContain('--resume');
  });

  it.each([
    [errno('ENOSPC', { syscall: 'write' }), 'DISK_FULL', /disk on this machine is full/],
    [
      errno('EACCES', { syscall: 'open', path: '/srv/job/report.json' }),
      'PERMISSION_DENIED',
      /refused access to \/srv\/job\/report.json/,
    ],
    [errno('EROFS', { syscall: 'open', path: '/mnt/ro/x' }), 'PERMISSION_DENIED', /read-only/],
    [
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
      'DISK_FULL',
      /SQLITE_FULL/,
    ],
    [
      errno('ECONNRESET', { syscall: 'read' }),
      'SERVICE_UNAVAILABLE',
      /closed the connection \(ECONNRESET\)/,
    ],
  ])('%s is classified as %s with --resume', async (err, code, message) => {
    const out = (await classifyRunFailure(err, context)) as NovaError;
    expect(out.code).toBe(code);
    expect(out.message).toMatch(message);
    expect(out.fix).toContain('--resume');
  });

  it('a mapped driver error wrapping the server shutdown gets the resume advice too', async () => {
    const mapped = new NovaError(
      'SERVICE_UNAVAILABLE',
      'PostgreSQL is not accepting this session',
      {
        fix: 'retry shortly',
        cause: serverError('57P01', 'terminating connection due to administrator command'),
      },
    );
    const out = (await classifyRunFailure(mapped, context)) as NovaError;
    expect(out.fix).toContain('--resume');
  });

  it('leaves data errors, bugs and EACCES on a socket alone', async () => {
    const constraint = new NovaError('CONSTRAINT_VIOLATION', 'duplicate key');
    expect(await classifyRunFailure(constraint, context)).toBe(constraint);
    const bug = new TypeError('x is undefined');
    expect(await classifyRunFailure(bug, context)).toBe(bug);
    const socket = errno('EACCES', { syscall: 'connect', path: '/run/postgresql/.s.PGSQL.5432' });
    expect(await classifyRunFailure(socket, context)).toBe(socket);
  });
});
