/**
 * The headless server's gate, against the real AppRuntime (embedded
 * profile, temporary data directory): token on every API route and on the
 * WebSocket upgrade, same-origin and Host checks, security headers, body
 * handling, token rotation.
 */
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiPath, METHOD_NAMES, type NovaEvent } from '../../../shared-contract/index.js';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { createLogger } from '../../../main/core/logger.js';
import {
  startHeadlessServer,
  type HeadlessServer,
} from '../../../main/server/api/headless-server.js';

let root: string;
let runtime: AppRuntime;
let server: HeadlessServer;
let token: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-headless-'));
  const rendererDir = path.join(root, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Nova DB</title>');
  await writeFile(path.join(rendererDir, 'assets', 'index-abc.js'), 'export {};');
  await writeFile(
    path.join(rendererDir, 'assets', 'index-abc.js.map'),
    '{"sources":["secret.ts"]}',
  );
  runtime = await AppRuntime.start({
    mode: 'headless',
    logger: createLogger({ level: 'error', write: () => undefined }),
    configOptions: {
      dataDir: path.join(root, 'data'),
      env: { NOVA_BACKUP_INTERVAL_HOURS: '0' },
      cwd: root,
    },
    health: { intervalMs: 60_000 },
  });
  server = await startHeadlessServer({ runtime, host: '127.0.0.1', port: 0, rendererDir });
  token = runtime.adminToken();
});

afterAll(async () => {
  await server?.close();
  await runtime?.shutdown();
  await rm(root, { recursive: true, force: true });
});

const json = { 'Content-Type': 'application/json' };
const auth = (t = token) => ({ Authorization: `Bearer ${t}`, ...json });

function post(
  method: string,
  body: unknown,
  headers: Record<string, string> = auth(),
): Promise<Response> {
  return fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

/** A raw request, for headers fetch will not let us set (Host). */
function raw(options: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens the event socket; resolves with it, or with the HTTP status the upgrade was refused with. */
function connect(
  protocols: string[],
  headers: Record<string, string> = {},
): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, protocols, {
      headers,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('headless server security', () => {
  it('refuses every API route without the token with 401 and AUTH_FAILED', async () => {
    for (const method of METHOD_NAMES) {
      const res = await fetch(`${server.url}${apiPath(method)}`, {
        method: 'POST',
        headers: json,
        body: '{}',
      });
      expect(res.status, method).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="nova"');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AUTH_FAILED');
    }
    // Unknown API paths and other methods are refused before routing, so they reveal nothing either.
    for (const [p, m] of [
      ['/api/nope', 'POST'],
      ['/api/app.info', 'GET'],
      ['/api', 'GET'],
      ['/api/', 'DELETE'],
    ] as const) {
      expect((await fetch(`${server.url}${p}`, { method: m })).status, `${m} ${p}`).toBe(401);
    }
  });

  it('refuses a wrong or malformed token', async () => {
    for (const header of [
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${token}`,
      'Bearer',
      `Bearer ${token} extra`,
    ]) {
      const res = await fetch(`${server.url}/api/app.info`, {
        method: 'POST',
        headers: { Authorization: header, ...json },
        body: '{}',
      });
      expect(res.status, header).toBe(401);
    }
  });

  it('answers with the token', async () => {
    const res = await post('app.info', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.json()).toMatchObject({
      result: { mode: 'headless', relational: 'sqlite', firstRun: true },
    });
  });

  it('refuses the WebSocket upgrade without a valid token, before the handshake', async () => {
    expect(await connect(['nova.v1'])).toBe(401);
    expect(await connect(['nova.v1', `nova.token.${token}x`])).toBe(401);
    expect(await connect(['nova.v1'], { Authorization: 'Bearer nope' })).toBe(401);
    const ws = await connect(['nova.v1', `nova.token.${token}`]);
    expect(ws).toBeInstanceOf(WebSocket);
    // The server agrees to nova.v1 and never echoes the token protocol.
    expect((ws as WebSocket).protocol).toBe('nova.v1');
    (ws as WebSocket).close();
  });

  it('pushes events to an authenticated socket', async () => {
    const ws = (await connect(['nova.v1'], { Authorization: `Bearer ${token}` })) as WebSocket;
    const event = new Promise<NovaEvent>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as NovaEvent)),
    );
    await post('health.refresh', {});
    expect((await event).type).toBe('health');
    ws.close();
  });

  it('refuses requests from another origin, with or without the token', async () => {
    const res = await post('app.info', {}, { ...auth(), Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'ORIGIN_NOT_ALLOWED',
    );
    expect(
      (await post('app.info', {}, { ...auth(), Origin: `http://localhost:${server.port + 1}` }))
        .status,
    ).toBe(403);
    expect((await post('app.info', {}, { ...auth(), Origin: server.url })).status).toBe(200);
    expect(
      await connect(['nova.v1', `nova.token.${token}`], { Origin: 'http://evil.example' }),
    ).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding), even for the UI and /health', async () => {
    for (const p of ['/', '/health', '/api/app.info']) {
      const res = await raw({ path: p, headers: { Host: `evil.example:${server.port}` } });
      expect(res.status, p).toBe(403);
      expect(res.body).toContain('HOST_NOT_ALLOWED');
    }
    expect(
      (await raw({ path: '/health', headers: { Host: `localhost:${server.port}` } })).status,
    ).toBe(200);
  });

  it('keeps /health and /metrics open on loopback, and serves the UI with its CSP', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('nova_');
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    // The Host header is never echoed into the policy (issue 13).
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await fetch(`${server.url}/assets/index-abc.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    // Only the built files exist as routes: no source maps, no traversal.
    expect((await fetch(`${server.url}/assets/index-abc.js.map`)).status).toBe(404);
    expect(
      (await raw({ path: '/../package.json', headers: { Host: `127.0.0.1:${server.port}` } }))
        .status,
    ).toBe(404);
    expect(
      (
        await raw({
          path: '/assets/%2e%2e/%2e%2e/package.json',
          headers: { Host: `127.0.0.1:${server.port}` },
        })
      ).status,
    ).toBe(404);
  });

  it('refuses bodies that are not JSON, too big, or invalid for the method', async () => {
    const text = await fetch(`${server.url}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error: { message: string } }).error.message).toMatch(
      /must be JSON/,
    );
    const broken = await fetch(`${server.url}/api/app.info`, {
      method: 'POST',
      headers: auth(),
      body: '{"a":',
    });
    expect(broken.status).toBe(400);
    const big = await fetch(`${server.url}/api/app.info`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ x: 'a'.repeat(1_100_000) }),
    });
    expect(big.status).toBe(400);
    const invalid = await post('services.stop', { service: 'everything' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      error: {
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^Invalid input for services\.stop: service:/),
      },
    });
  });

  it('maps domain errors to statuses that never look like a token problem', async () => {
    const notSqlite = path.join(root, 'notes.txt');
    await writeFile(notSqlite, 'these are not the tables you are looking for\n'.repeat(10));
    const res = await post('migration.inspect', { file: notSqlite });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; fix?: string } };
    expect(body.error.code).toBe('NOT_SQLITE');
    expect(body.error.fix).toBeTruthy();
    const missing = await post('migration.inspect', { file: path.join(root, 'absent.sqlite') });
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('DB_MISSING');
  });

  it('rotates the token: the old one stops working at once, open sockets are closed', async () => {
    const ws = (await connect(['nova.v1', `nova.token.${token}`])) as WebSocket;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const rotated = await post('settings.rotateAdminToken', {});
    const fresh = ((await rotated.json()) as { result: { token: string } }).result.token;
    expect(fresh).not.toBe(token);
    expect((await post('app.info', {}, auth(token))).status).toBe(401);
    expect((await post('app.info', {}, auth(fresh))).status).toBe(200);
    await post('health.refresh', {}, auth(fresh)); // the next broadcast ends the old session
    expect(await closed).toBe(4401);
    expect(server.loginUrl()).toBe(`${server.url}/#token=${fresh}`);
    token = fresh;
  });
});
