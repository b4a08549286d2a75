/**
 * Who can reach `nova-db serve`, and what it takes (issue 13, "also
 * expected"): a non-loopback --host needs TLS or an explicit
 * --insecure-public; loopback is one test whatever the spelling (`127.1`
 * gets the loopback Host checks and an open /health, both); the Host header
 * is never echoed into the page's CSP; wrong tokens are logged with the
 * source address (rate-limited) and a source that keeps guessing is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runNova } from '../cli/cli-process.js';
import { loginToken, readyUrl, startServe, stopAllServes } from './serve-process.js';

let root: string;
let cert: string;
let key: string;
const env = cleanEnv({ NOVA_BACKUP_INTERVAL_HOURS: '0' });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-exposure-'));
  cert = path.join(root, 'cert.pem');
  key = path.join(root, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=nova-test',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
});

afterAll(async () => {
  await stopAllServes();
  await rm(root, { recursive: true, force: true });
});

/** A raw request (Host header of our choosing; self-signed TLS accepted). */
function raw(
  url: string,
  options: { path: string; method?: string; headers?: Record<string, string> },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: u.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        rejectUnauthorized: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const serveArgs = (dir: string, ...more: string[]) => [
  '--data-dir',
  path.join(root, dir),
  'serve',
  '--port',
  '0',
  '--json',
  ...more,
];

describe('serve exposure (issue 13)', () => {
  it('refuses a non-loopback --host without TLS or --insecure-public, and bad TLS files', async () => {
    const plain = await runNova(serveArgs('d1', '--host', '0.0.0.0'), { env, cwd: root });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Listening on 0\.0\.0\.0 lets other machines reach the server/);
    expect(plain.stderr).toMatch(/fix: .*--tls-cert FILE --tls-key FILE.*--insecure-public/);

    const onlyCert = await runNova(serveArgs('d1', '--tls-cert', cert), { env, cwd: root });
    expect(onlyCert.code).toBe(1);
    expect(onlyCert.stderr).toContain('--tls-cert was given without --tls-key');

    const missing = await runNova(
      serveArgs('d1', '--tls-cert', path.join(root, 'nope.pem'), '--tls-key', key),
      { env, cwd: root },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read --tls-cert .*nope\.pem \(ENOENT\)/);

    const garbage = path.join(root, 'garbage.pem');
    await writeFile(garbage, 'not a certificate');
    const bad = await runNova(serveArgs('d1', '--tls-cert', garbage, '--tls-key', key), {
      env,
      cwd: root,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot be used together/);
  }, 120_000);

  it('treats 127.1 as loopback everywhere: Host checks on, /health open', async () => {
    const serve = startServe(serveArgs('d2', '--host', '127.1'), { cwd: root, env });
    const url = await readyUrl(serve);
    const port = new URL(url).port;
    expect(
      (await raw(url, { path: '/health', headers: { Host: `127.0.0.1:${port}` } })).status,
    ).toBe(200);
    const rebound = await raw(url, { path: '/health', headers: { Host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(serve.stderr()).not.toContain('other machines can reach');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 60_000);

  it('serves HTTPS off loopback with --tls-cert/--tls-key, token on /health, Host never in the CSP', async () => {
    const serve = startServe(
      serveArgs('d3', '--host', '0.0.0.0', '--tls-cert', cert, '--tls-key', key),
      { cwd: root, env },
    );
    const url = await readyUrl(serve);
    expect(url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
    const token = loginToken(serve);
    expect((await raw(url, { path: '/health' })).status).toBe(401);
    expect(
      (await raw(url, { path: '/health', headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const page = await raw(url, {
      path: '/',
      headers: { Host: 'evil.example' },
    });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy'] ?? '');
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('evil');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 60_000);

  it('--insecure-public allows it, with a warning', async () => {
    const serve = startServe(serveArgs('d4', '--host', '0.0.0.0', '--insecure-public'), {
      cwd: root,
      env,
    });
    await readyUrl(serve);
    expect(serve.stderr()).toMatch(/WITHOUT TLS \(--insecure-public\)/);
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 60_000);

  it('logs wrong tokens with the source address, rate-limited, and refuses a guessing source', async () => {
    const serve = startServe(serveArgs('d5'), { cwd: root, env });
    const url = await readyUrl(serve);
    const token = loginToken(serve);
    const call = (t: string) =>
      fetch(`${url}/api/app.info`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call(`wrong-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Blocked means blocked: even the right token waits.
    const blocked = await call(token);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    const lines = serve
      .stderr()
      .split('\n')
      .filter((l) => l.includes('wrong admin token'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThan(5); // 12 failures, not 12 lines
    expect(lines[0]).toContain('from 127.0.0.1');
    expect(lines.at(-1)).toMatch(/10 failures within 60 s, so 127\.0\.0\.1 is refused for 60 s/);
    expect(serve.stderr()).not.toContain('wrong-1');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 60_000);
});
