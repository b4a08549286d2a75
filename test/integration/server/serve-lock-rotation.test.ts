/**
 * One data dir, one running server (issue 13, defect 2): a second `serve` on
 * the same data dir is refused naming the running pid; `serve --rotate-token`
 * reaches the running server, which then refuses the old token, accepts the
 * new one and closes the WebSocket and keep-alive connections opened with the
 * old one. A lock left by a killed server is taken over.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanEnv, runNova } from '../cli/cli-process.js';
import {
  callApi,
  loginToken,
  readyUrl,
  startServe,
  stopAllServes,
  waitFor,
} from './serve-process.js';

let root: string;
const env = cleanEnv({ NOVA_BACKUP_INTERVAL_HOURS: '0' });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-lock-'));
});

afterAll(async () => {
  await stopAllServes();
  await rm(root, { recursive: true, force: true });
});

/** A keep-alive request through `agent`; resolves with the status. */
function keepAliveCall(agent: Agent, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}/api/app.info`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('data dir lock and token rotation (issue 13, defect 2)', () => {
  it('refuses a second server naming the pid, and --rotate-token reaches the running one', async () => {
    const dataDir = path.join(root, 'data');
    const args = ['serve', '--port', '0', '--json', '--data-dir', dataDir];
    const first = startServe(args, { cwd: root, env });
    const url = await readyUrl(first);
    const oldToken = loginToken(first);
    expect((await callApi(url, oldToken, 'app.info')).status).toBe(200);

    // Sessions opened with the old token: a WebSocket and a keep-alive HTTP connection.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/events`, [
      'nova.v1',
      `nova.token.${oldToken}`,
    ]);
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    const wsClosed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await keepAliveCall(agent, url, oldToken)).toBe(200);
    const [kept] = Object.values(agent.freeSockets).flat();
    expect(kept).toBeDefined();
    const keptClosed = new Promise<void>((res) => kept!.once('close', () => res()));

    // A second server on the same data dir is refused, naming the first one's pid.
    const second = await runNova(['--data-dir', dataDir, 'serve', '--port', '0'], {
      env,
      cwd: root,
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(second.stderr).toMatch(/already in use by nova-db serve/);
    expect(second.stderr).toMatch(/fix: Stop the running server/);

    // Rotation reaches the running server.
    const rotated = await runNova(['--data-dir', dataDir, 'serve', '--rotate-token'], {
      env,
      cwd: root,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toContain(`The running server (pid ${first.child.pid}) rotated`);
    const link = /(http:\/\/\S+)\/#token=(\S+)/.exec(rotated.stderr);
    expect(link?.[1]).toBe(url);
    const newToken = decodeURIComponent(link![2]!);
    expect(newToken).not.toBe(oldToken);

    expect((await callApi(url, oldToken, 'app.info')).status).toBe(401);
    expect((await callApi(url, newToken, 'app.info')).status).toBe(200);
    expect(await wsClosed).toBe(4401);
    await keptClosed;
    agent.destroy();
    // Still the same, single server.
    expect(first.child.exitCode).toBeNull();
    expect(first.stderr()).toContain('the admin token was rotated');

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(path.join(dataDir, 'nova.lock'))).toBe(false);
  }, 120_000);

  it('takes over a lock left by a killed server (and one that is not even JSON)', async () => {
    const dataDir = path.join(root, 'data-stale');
    const args = ['serve', '--port', '0', '--json', '--data-dir', dataDir];
    const killed = startServe(args, { cwd: root, env });
    await readyUrl(killed);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const lock = path.join(dataDir, 'nova.lock');
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: killed.child.pid });

    const next = startServe(args, { cwd: root, env });
    await readyUrl(next);
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: next.child.pid });
    next.child.kill('SIGKILL');
    await next.exited;

    await writeFile(lock, 'garbage');
    const after = startServe(args, { cwd: root, env });
    await readyUrl(after);
    after.child.kill('SIGTERM');
    await after.exited;
    await waitFor(() => !existsSync(lock), 'the lock to be released');
  }, 120_000);
});
