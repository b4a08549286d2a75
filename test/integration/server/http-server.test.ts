import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { createLogger } from '../../../main/core/logger.js';
import {
  startHttpServer,
  type HealthReport,
  type RunningHttpServer,
} from '../../../main/server/http-server.js';
import { sendJson } from '../../../main/server/router.js';

const logLines: string[] = [];
const logger = createLogger({ level: 'debug', write: (l) => logLines.push(l) });
const running: RunningHttpServer[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(blockers.splice(0).map((b) => new Promise((r) => b.close(r))));
  logLines.length = 0;
});

async function start(
  health: () => Promise<HealthReport>,
  extra: Parameters<typeof startHttpServer>[0]['routes'] = [],
) {
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    health,
    logger,
    routes: extra,
  });
  running.push(server);
  return server;
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

describe('headless HTTP server', () => {
  it('binds the port asked for, or a free one for 0, and reports it in the URL', async () => {
    const server = await start(async () => ({ status: 'ok' }));
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it.each([
    ['ok', 200],
    ['degraded', 200],
    ['down', 503],
  ] as const)(
    'GET /health answers %s with HTTP %i and the report as JSON',
    async (status, code) => {
      const report = { status, services: [{ service: 'relational', status }] };
      const server = await start(async () => report);
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(code);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual(report);
    },
  );

  it('answers 503 "down" with the reason when the health check itself throws', async () => {
    const server = await start(async () => {
      throw new NovaError('CONN_REFUSED', 'PostgreSQL at 127.0.0.1:1 refused the connection.');
    });
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'down',
      error: {
        name: 'NovaError',
        code: 'CONN_REFUSED',
        message: 'PostgreSQL at 127.0.0.1:1 refused the connection.',
      },
    });
  });

  it('sets the security headers on every response, errors included', async () => {
    const server = await start(async () => ({ status: 'ok' }));
    for (const p of ['/health', '/nope']) {
      const res = await fetch(`${server.url}${p}`);
      for (const [name, value] of Object.entries(securityHeaders))
        expect(res.headers.get(name)).toBe(value);
    }
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const server = await start(async () => ({ status: 'ok' }));
    const res = await fetch(`${server.url}/api/nothing?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { name: 'NovaError', code: 'NOT_FOUND', message: 'No route for GET /api/nothing.' },
    });
  });

  it('answers a wrong method with 405 and the allowed methods', async () => {
    const server = await start(async () => ({ status: 'ok' }));
    const res = await fetch(`${server.url}/health`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'METHOD_NOT_ALLOWED',
    );
  });

  it('serves added routes and turns their errors into JSON without leaking internals', async () => {
    const server = await start(
      async () => ({ status: 'ok' }),
      [
        {
          method: 'GET',
          path: '/echo',
          handler: ({ res, url }) => sendJson(res, 200, { q: url.searchParams.get('q') }),
        },
        {
          method: 'POST',
          path: '/bad',
          handler: () => {
            throw new NovaError('INVALID_ARGUMENT', 'name is required', { fix: 'send a name' });
          },
        },
        {
          method: 'GET',
          path: '/bug',
          handler: () => {
            throw new Error('secret internal detail password=hunter2');
          },
        },
      ],
    );
    expect(await (await fetch(`${server.url}/echo?q=hi`)).json()).toEqual({ q: 'hi' });

    const bad = await fetch(`${server.url}/bad`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        name: 'NovaError',
        code: 'INVALID_ARGUMENT',
        message: 'name is required',
        fix: 'send a name',
      },
    });

    const bug = await fetch(`${server.url}/bug`);
    expect(bug.status).toBe(500);
    const body = JSON.stringify(await bug.json());
    expect(body).toContain('INTERNAL');
    expect(body).not.toContain('secret internal detail');
    expect(logLines.join('')).toContain('secret internal detail password=***');
  });

  it('refuses a port already in use with PORT_IN_USE naming host:port and --port', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const err = await startHttpServer({
      host: '127.0.0.1',
      port,
      health: async () => ({ status: 'ok' }),
      logger,
    }).then(
      (s) => {
        running.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NovaError);
    expect((err as NovaError).code).toBe('PORT_IN_USE');
    expect((err as NovaError).message).toContain(`127.0.0.1:${port}`);
    expect((err as NovaError).fix).toContain('--port');
  });

  it('refuses a host that is not an address of this machine', async () => {
    const err = await startHttpServer({
      host: '192.0.2.1',
      port: 0,
      health: async () => ({ status: 'ok' }),
      logger,
    }).then(
      (s) => {
        running.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect((err as NovaError).code).toBe('INVALID_ARGUMENT');
    expect((err as NovaError).fix).toContain('--host 127.0.0.1');
  });

  it('closes even with an idle keep-alive connection open, and close() can be called twice', async () => {
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      health: async () => ({ status: 'ok' }),
      logger,
    });
    const res = await fetch(`${server.url}/health`, { headers: { connection: 'keep-alive' } });
    await res.arrayBuffer();
    const started = Date.now();
    await Promise.all([server.close(), server.close()]);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
