/**
 * The built `nova-db` bin and `npm start`'s script, run as real processes:
 * serve on a free port with the embedded profile (real SQLite), answer
 * /health, stop cleanly on a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(repo, 'bin', 'nova-db.js');
const startScript = path.join(repo, 'scripts', 'start.mjs');

let root: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // dist/ is built once for the whole run by test/support/global-setup.ts.
  expect(existsSync(path.join(repo, 'dist', 'main', 'cli', 'index.js'))).toBe(true);
  root = await mkdtemp(path.join(tmpdir(), 'nova-cli-serve-'));
});

afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The environment minus any Nova settings of the machine running the tests, so runs are hermetic. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NOVA_|POSTGRES_|MONGODB_|REDIS_|SQLITE_)/.test(k)) env[k] = v;
  }
  return { ...env, NOVA_PROFILE: 'embedded', ...extra };
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Run {
  // cwd = a temp dir: no stray .env from the checkout is read.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the `--json` ready message (the first stdout line) and returns the URL. */
async function readyUrl(r: Run): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const nl = r.stdout().indexOf('\n');
    if (nl >= 0) {
      const ready = JSON.parse(r.stdout().slice(0, nl)) as { url?: string };
      if (!ready.url)
        throw new Error(`nova-db did not start: ${r.stdout()}\nstderr:\n${r.stderr()}`);
      return ready.url;
    }
    if (r.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no output from nova-db; stderr:\n${r.stderr()}`);
}

describe('nova-db serve (built bin)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'serves /health on a free port with embedded SQLite and exits 0 on %s',
    async (signal) => {
      const dataDir = path.join(root, `data-${signal}`);
      const r = run([bin, 'serve', '--port', '0', '--data-dir', dataDir, '--json']);
      const url = await readyUrl(r);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(JSON.parse(r.stdout())).toEqual({ url, dataDir });

      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      const health = (await res.json()) as {
        status: string;
        services: { status: string; backend: string }[];
      };
      expect(health.status).toBe('ok');
      expect(health.services.length).toBeGreaterThan(0);
      expect(health.services.every((s) => s.status === 'ok')).toBe(true);
      expect(existsSync(path.join(dataDir, 'nova.sqlite'))).toBe(true);

      r.child.kill(signal);
      expect(await r.exited).toEqual({ code: 0, signal: null });
      expect(r.stderr()).toContain(`received ${signal}, stopping`);
      expect(r.stderr()).toContain('stopped');
      expect(r.stdout().trim().split('\n')).toHaveLength(1); // logs never on stdout
    },
  );

  it('exits 2 with a one-line reason naming --port and NOVA_PORT for a bad --port', async () => {
    const r = run([bin, 'serve', '--port', 'abc', '--data-dir', path.join(root, 'data-bad')]);
    expect((await r.exited).code).toBe(2);
    const [reason] = r.stderr().split('\n');
    expect(reason).toMatch(/^nova-db: .*--port \(NOVA_PORT\) must be a whole number/);
  });

  it('exits 1 with PORT_IN_USE naming host:port when the port is taken, after closing the data layer', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = run([
        bin,
        '--json',
        'serve',
        '--port',
        String(port),
        '--data-dir',
        path.join(root, 'data-busy'),
      ]);
      expect((await r.exited).code).toBe(1);
      expect(r.stderr()).toContain(`nova-db: Port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr()).toContain('fix: Choose another port with --port');
      expect((JSON.parse(r.stdout()) as { error: { code: string } }).error.code).toBe(
        'PORT_IN_USE',
      );
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  });
});

describe('npm start (scripts/start.mjs)', () => {
  it('runs headless when Electron cannot start here, passing arguments through to serve', async () => {
    // With a usable Electron and a display the script starts the desktop app instead.
    const env = cleanEnv({ DISPLAY: '', WAYLAND_DISPLAY: '' });
    const r = run(
      [startScript, '--port', '0', '--data-dir', path.join(root, 'data-start'), '--json'],
      env,
    );
    const url = await readyUrl(r);
    expect(r.stderr()).toMatch(/^nova-db: running headless \(.+\)/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    r.child.kill('SIGTERM');
    expect(await r.exited).toEqual({ code: 0, signal: null });
  });
});
