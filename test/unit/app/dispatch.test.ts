import { describe, expect, it, vi } from 'vitest';
import { dispatch, type Handlers } from '../../../main/core/app/dispatch.js';
import { NovaError } from '../../../main/core/errors.js';

/** Handlers that record calls; only the ones a test needs do anything. */
function handlers(overrides: Partial<Handlers>): Handlers {
  return new Proxy(overrides as Handlers, {
    get: (target, key: string) =>
      target[key as keyof Handlers] ??
      (() => Promise.reject(new Error(`unexpected call of ${key}`))),
  });
}

const ctx = { transport: 'test' as const };

describe('dispatch', () => {
  it('validates the input before the handler runs', async () => {
    const start = vi.fn();
    const result = await dispatch(
      handlers({ 'services.start': start }),
      'services.start',
      { service: 'db2' },
      ctx,
    );
    expect(start).not.toHaveBeenCalled();
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({
        name: 'NovaError',
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^Invalid input for services\.start: service:/),
      }),
    });
  });

  it('refuses an unknown method as data', async () => {
    const result = await dispatch(handlers({}), 'app.shell', {}, ctx);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'Unknown method "app.shell".' },
    });
    expect(await dispatch(handlers({}), 42, {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });

  it('passes the parsed input (defaults applied) and returns the value', async () => {
    const logs = vi.fn(async (input: { source: string; lines: number }) => ({
      source: input.source as 'app',
      available: true,
      lines: [`${input.lines}`],
      entries: [],
    }));
    const result = await dispatch(
      handlers({ 'services.logs': logs as never }),
      'services.logs',
      { source: 'app' },
      ctx,
    );
    expect(logs).toHaveBeenCalledWith({ source: 'app', lines: 200 }, ctx);
    expect(result).toEqual({
      ok: true,
      value: { source: 'app', available: true, lines: ['200'], entries: [] },
    });
  });

  it('strips fields the contract does not declare from the answer (a leaked secret never leaves)', async () => {
    const result = await dispatch(
      handlers({
        'settings.rotateAdminToken': async () => ({ token: 't', password: 'hunter2' }) as never,
      }),
      'settings.rotateAdminToken',
      {},
      ctx,
    );
    expect(result).toEqual({ ok: true, value: { token: 't' } });
  });

  it('turns a NovaError into its data, with the fix', async () => {
    const result = await dispatch(
      handlers({
        'migration.inspect': async () => {
          throw new NovaError('NOT_SQLITE', '/x is not a SQLite database.', {
            fix: 'Pick the log.sqlite file.',
          });
        },
      }),
      'migration.inspect',
      { file: '/x' },
      ctx,
    );
    expect(result).toEqual({
      ok: false,
      error: {
        name: 'NovaError',
        code: 'NOT_SQLITE',
        message: '/x is not a SQLite database.',
        fix: 'Pick the log.sqlite file.',
      },
    });
  });

  it('hides the details of an unexpected error and of an answer outside the contract, and logs them', async () => {
    const logged: string[] = [];
    const logger = {
      error: (m: string, f?: Record<string, unknown>) => logged.push(`${m} ${JSON.stringify(f)}`),
      debug: () => undefined,
    };
    const crash = await dispatch(
      handlers({
        'app.info': async () => {
          throw new TypeError('cannot read x of undefined at /srv/secret/path.js');
        },
      }),
      'app.info',
      {},
      ctx,
      logger,
    );
    expect(crash).toEqual({
      ok: false,
      error: {
        name: 'Error',
        code: 'INTERNAL',
        message: 'app.info failed unexpectedly; see the Nova log.',
      },
    });
    const bad = await dispatch(
      handlers({ 'tasks.list': async () => ({ tasks: 'none' }) as never }),
      'tasks.list',
      {},
      ctx,
      logger,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logged.join('\n')).toContain('/srv/secret/path.js');
    expect(logged.join('\n')).toContain('outside the contract');
  });
});
