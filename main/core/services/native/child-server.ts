/**
 * A server program we spawn and keep as our child (redis-server, mongod):
 * not detached, output appended to its log file, and an "unexpected exit"
 * signal for the supervisor that is silenced while we are stopping it
 * ourselves. execa's `cleanup` stays on, so if Node exits without running
 * our shutdown phase the child still gets SIGTERM (a clean save) rather
 * than living on unowned; a hard crash of Node leaves it running, which is
 * what crash adoption is for.
 *
 * `detached` is for servers that must outlive us (`nova-db up` exits right
 * after starting them): own session, no cleanup on exit, not keeping our
 * event loop alive, and the log file handed over as a file descriptor —
 * a pipe through this process would break when it exits. A later process
 * finds such a server through state.json and adopts it.
 */
import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { execa } from 'execa';
import type { ServiceName } from '../types.js';
import type { UnexpectedExit } from './native-server.js';
import { isPidRunning, sleep, waitForExit } from './process-utils.js';

/**
 * What we use of a server process: an execa subprocess, or (detached) a
 * node ChildProcess with a promise of its exit. Resolves, never rejects.
 */
type ServerProcess = Promise<{ exitCode?: number | undefined; signal?: string | undefined }> & {
  readonly pid?: number | undefined;
  kill(signal: NodeJS.Signals): boolean;
  unref(): void;
};

export class ChildServer {
  readonly service: ServiceName;
  readonly pid: number;
  #exit: { code: number | null; signal: string | null } | undefined;
  #stopping = false;
  readonly #events = new EventEmitter<{ 'unexpected-exit': [UnexpectedExit] }>();
  readonly #process: ServerProcess;

  private constructor(service: ServiceName, child: ServerProcess) {
    this.service = service;
    this.#process = child;
    if (child.pid === undefined) throw new Error('spawned process has no pid');
    this.pid = child.pid;
    // With reject:false the promise never rejects; errors surface as exit info.
    void child.then((result) => {
      this.#exit = { code: result.exitCode ?? null, signal: result.signal ?? null };
      if (!this.#stopping) {
        this.#events.emit('unexpected-exit', {
          service,
          pid: this.pid,
          exitCode: this.#exit.code,
          signal: this.#exit.signal,
        });
      }
    });
  }

  /**
   * Spawns `file args`; stdout and stderr are appended to `logFile`. With
   * `detached`, the server keeps running after this process exits.
   */
  static spawn(
    service: ServiceName,
    file: string,
    args: string[],
    options: { cwd: string; logFile: string; detached?: boolean },
  ): ChildServer {
    const child: ServerProcess = options.detached
      ? spawnDetached(file, args, options)
      : execa(file, args, {
          cwd: options.cwd,
          detached: false,
          cleanup: true,
          reject: false,
          stdin: 'ignore',
          stdout: { file: options.logFile, append: true },
          stderr: { file: options.logFile, append: true },
        });
    if (child.pid === undefined) {
      // spawn failed synchronously (e.g. ENOENT): consume the result so it is not unhandled.
      void child.catch(() => undefined);
      throw Object.assign(new Error(`could not start ${file}`), { code: 'ENOENT' });
    }
    if (options.detached) child.unref();
    return new ChildServer(service, child);
  }

  /** Exit information once the process has exited. */
  get exited(): { code: number | null; signal: string | null } | undefined {
    return this.#exit;
  }

  onUnexpectedExit(listener: (exit: UnexpectedExit) => void): () => void {
    this.#events.on('unexpected-exit', listener);
    return () => this.#events.off('unexpected-exit', listener);
  }

  /** From now on an exit is expected (we asked for it). */
  markStopping(): void {
    this.#stopping = true;
  }

  /**
   * Waits `waitMs` for the process to exit on its own (after a protocol
   * SHUTDOWN), then sends SIGTERM, and SIGKILL if it is still there
   * `termGraceMs` later. Resolves once it has exited.
   */
  async waitOrKill(waitMs: number, termGraceMs = 10_000): Promise<void> {
    this.markStopping();
    const gone = () => this.#exit !== undefined;
    const deadline = Date.now() + waitMs;
    while (!gone() && Date.now() < deadline) await sleep(25);
    if (gone()) return;
    this.#process.kill('SIGTERM');
    const killAt = Date.now() + termGraceMs;
    while (!gone() && Date.now() < killAt) await sleep(25);
    if (!gone()) this.#process.kill('SIGKILL');
    await this.#process;
  }
}

/**
 * A server in its own session whose output goes straight to `logFile` (no
 * pipe through us). node's spawn, not execa: execa cannot hand a child an
 * arbitrary file descriptor, and we want no stream in this process at all.
 */
function spawnDetached(
  file: string,
  args: string[],
  options: { cwd: string; logFile: string },
): ServerProcess {
  const fd = openSync(options.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    // The child holds its own copy of the descriptor from here on.
    closeSync(fd);
  }
  const exited = new Promise<{ exitCode?: number; signal?: string }>((resolve) => {
    // 'error' without 'exit' means it never started (ENOENT…); pid is then undefined.
    child.once('error', () => resolve({}));
    child.once('exit', (code, signal) =>
      resolve({ ...(code !== null ? { exitCode: code } : {}), ...(signal ? { signal } : {}) }),
    );
  });
  return Object.assign(exited, {
    pid: child.pid,
    kill: (signal: NodeJS.Signals) => child.kill(signal),
    unref: () => child.unref(),
  });
}

/** Stops a server process we do not own (adopted from a previous run): SIGTERM, then SIGKILL. */
export async function terminatePid(pid: number, graceMs: number): Promise<void> {
  if (!(await isPidRunning(pid))) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  if (await waitForExit(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitForExit(pid, 5000);
}
