/**
 * `nova-db serve` from the BUILT bin as a real process, for the suites that
 * need the whole thing (locks, signals, flags): start, wait for the `--json`
 * ready line, call the API, stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { bin, cleanEnv } from '../cli/cli-process.js';

export interface ServeProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

export function startServe(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ServeProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the `--json` ready line and returns the URL; throws with stderr when the process exits first. */
export async function readyUrl(r: ServeProcess, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const nl = r.stdout().indexOf('\n');
    if (nl >= 0) {
      const ready = JSON.parse(r.stdout().slice(0, nl)) as { url?: string };
      if (!ready.url)
        throw new Error(`nova-db did not start: ${r.stdout()}\nstderr:\n${r.stderr()}`);
      return ready.url;
    }
    if (r.child.exitCode !== null || r.child.signalCode !== null)
      throw new Error(`nova-db serve exited early:\n${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no ready line from nova-db serve; stderr:\n${r.stderr()}`);
}

/** The admin token from the login link serve prints on first start. */
export function loginToken(r: ServeProcess): string {
  const match = /#token=([^\s]+)/.exec(r.stderr());
  if (!match) throw new Error(`no login link printed; stderr:\n${r.stderr()}`);
  return decodeURIComponent(match[1]!);
}

export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Calls one API method; returns status and the raw body text (what a client would see). */
export async function callApi(
  url: string,
  token: string,
  method: string,
  input?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(input === undefined ? {} : { body: JSON.stringify(input) }),
  });
  return { status: res.status, text: await res.text() };
}

/** SIGTERMs every serve this module started that is still running, and waits. */
export async function stopAllServes(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((res) => c.once('exit', res));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }),
  );
}
