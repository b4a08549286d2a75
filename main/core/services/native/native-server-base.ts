/**
 * The lifecycle the three native servers (PostgreSQL, Redis, MongoDB) share,
 * written once: start = adopt what a previous run left running on our data,
 * else prepare, choose the port, launch and record it in state.json; stop =
 * end the process and forget its pid; check/status = the pid alive, our own
 * pid file naming it, and the port answering the protocol handshake. A
 * subclass supplies only what is particular to its program: how to probe
 * it, how to prepare and launch it, how to end it, and what makes it usable
 * (a database, a user).
 */
import { readFile } from 'node:fs/promises';
import type { ProbeResult } from '../handshake.js';
import { choosePort } from '../ports.js';
import type { ServiceStateFile } from '../service-state-file.js';
import type { ServiceEndpoint, ServiceName, ServiceStatus } from '../types.js';
import { terminatePid, type ChildServer } from './child-server.js';
import { redactSecrets } from '../../config/redact.js';
import { type NativeServer, type ServerPaths, type UnexpectedExit } from './native-server.js';
import { isPidRunning, readTail } from './process-utils.js';

/** What launching produced: our child process, or the pid of a server that runs on its own (pg_ctl). */
export type Launched = { child: ChildServer } | { pid: number | undefined };

/** The first line of a pid file as a pid; undefined when missing or malformed. */
export async function readPidFile(file: string): Promise<number | undefined> {
  const first = (await readFile(file, 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const pid = Number(first.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export abstract class NativeServerBase implements NativeServer {
  abstract readonly service: ServiceName;
  abstract readonly paths: ServerPaths;
  /** How messages name the service: "PostgreSQL", "Redis", "MongoDB". */
  protected abstract readonly name: string;
  /** How messages name the process: "PostgreSQL", "redis-server", "mongod". */
  protected abstract readonly program: string;
  /** The pid file the server itself writes in our data dir (proof that a pid is ours). */
  protected abstract readonly pidFile: string;

  /** The server we spawned and own, when we did. */
  protected child: ChildServer | undefined;
  /** Pid of a server that is not our child: adopted from a previous run, or started by pg_ctl. */
  #pid: number | undefined;
  protected port: number | undefined;
  readonly #exitListeners = new Set<(exit: UnexpectedExit) => void>();
  readonly #stateFile: ServiceStateFile;
  readonly #fixedPort: number | undefined;

  constructor(stateFile: ServiceStateFile, fixedPort: number | undefined) {
    this.#stateFile = stateFile;
    this.#fixedPort = fixedPort;
  }

  /** The endpoint (with our credentials) for a server listening on `port`. */
  protected abstract endpoint(port: number): ServiceEndpoint;
  /** The protocol handshake; a Redis answer that wants another password is not an answer. */
  protected abstract probe(port: number, timeoutMs: number): Promise<ProbeResult>;
  /** Programs present, directories (and a cluster) ready; throws what is missing and the fix. */
  protected abstract prepare(): Promise<void>;
  /** Starts the program on `port` and waits until it answers. */
  protected abstract launch(port: number): Promise<Launched>;
  /** Ends the running server (the process, or the one recorded in state.json). */
  protected abstract halt(): Promise<void>;

  /** Checks before anything else is touched (e.g. a path the programs cannot be given). */
  protected beforeStart(): void {}

  /** Makes a server that answers usable by Nova (a database, a user); also after adoption. */
  protected async whenUsable(_port: number, _how: 'adopted' | 'launched'): Promise<void> {}

  pid(): number | undefined {
    return this.child?.pid ?? this.#pid;
  }

  protected recordedState() {
    return this.#stateFile.get(this.service);
  }

  /** The pid to stop: ours, else the one state.json recorded. */
  protected async pidToStop(): Promise<number | undefined> {
    return this.pid() ?? (await this.recordedState())?.pid;
  }

  /**
   * Ends our child (SIGTERM after `graceMs`, SIGKILL `killAfterMs` later), or
   * else the recorded server, but only while our pid file still names it.
   */
  protected async endProcess(
    pid: number | undefined,
    graceMs: number,
    killAfterMs: number,
    terminateMs: number,
  ): Promise<void> {
    if (this.child) await this.child.waitOrKill(graceMs, killAfterMs);
    else if (pid !== undefined && (await readPidFile(this.pidFile)) === pid)
      await terminatePid(pid, terminateMs);
  }

  async start(): Promise<ServiceEndpoint> {
    if (this.child && this.child.exited === undefined && this.port !== undefined)
      return this.endpoint(this.port);
    this.beforeStart();
    const adopted = await this.#tryAdopt();
    if (adopted) {
      await this.whenUsable(adopted.port, 'adopted');
      return adopted;
    }
    await this.prepare();
    const record = await this.recordedState();
    const port = await choosePort({
      service: this.service,
      fixed: this.#fixedPort,
      remembered: record?.port,
    });
    const launched = await this.launch(port);
    if ('child' in launched) {
      const child = launched.child;
      this.child = child;
      this.#pid = undefined;
      child.onUnexpectedExit((exit) => {
        for (const l of this.#exitListeners) l(exit);
      });
    } else {
      this.#pid = launched.pid;
    }
    this.port = port;
    const pid = this.pid();
    await this.#stateFile.update(this.service, () => ({
      port,
      ...(pid !== undefined ? { pid } : {}),
      startedAt: new Date().toISOString(),
    }));
    await this.whenUsable(port, 'launched');
    return this.endpoint(port);
  }

  /**
   * Adopts a server a previous run left behind — only when all three agree:
   * the recorded pid is alive, the pid file in OUR data dir names it, and
   * the recorded port answers the handshake (with our password). Anything
   * less could be a different program reusing the pid or port.
   */
  async #tryAdopt(): Promise<ServiceEndpoint | null> {
    const record = await this.recordedState();
    if (!record?.pid || !(await isPidRunning(record.pid))) return null;
    if ((await readPidFile(this.pidFile)) !== record.pid) return null;
    const probe = await this.probe(record.port, 1000);
    if (!probe.confirmed || probe.authRequired) return null;
    this.#pid = record.pid;
    this.port = record.port;
    return this.endpoint(record.port);
  }

  async stop(): Promise<void> {
    await this.halt();
    this.child = undefined;
    this.#pid = undefined;
    await this.#stateFile.update(this.service, (r) => (r ? { port: r.port } : undefined));
  }

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const pid = this.pid();
    const port = this.port;
    if (pid === undefined || port === undefined)
      return { ok: false, reason: `${this.name} is not running` };
    if (this.child?.exited || !(await isPidRunning(pid)))
      return { ok: false, reason: `${this.program} (pid ${pid}) exited unexpectedly` };
    const probe = await this.probe(port, 2000);
    if (!probe.confirmed)
      return { ok: false, reason: `${this.name} on port ${port} does not answer: ${probe.detail}` };
    if (probe.authRequired)
      return { ok: false, reason: `${this.name} on port ${port} refuses the stored password` };
    return { ok: true };
  }

  async status(): Promise<ServiceStatus> {
    const record = await this.recordedState();
    const pid = this.pid() ?? record?.pid;
    const port = this.port ?? record?.port;
    const base = { service: this.service, provider: 'native' as const, since: new Date() };
    const running =
      pid !== undefined && (await isPidRunning(pid)) && (await readPidFile(this.pidFile)) === pid;
    if (!running || port === undefined)
      return { ...base, state: 'stopped', ...(port ? { port } : {}) };
    const probe = await this.probe(port, 1500);
    const ok = probe.confirmed && !probe.authRequired;
    return {
      ...base,
      state: ok ? 'healthy' : 'degraded',
      url: redactSecrets(this.endpoint(port).url),
      port,
      pid,
      ...(ok ? {} : { reason: probe.detail }),
    };
  }

  logs(lines: number): Promise<string[]> {
    return readTail(this.paths.log, lines);
  }

  /** Unexpected exits of a child we spawned (a server pg_ctl started is watched by check()). */
  onUnexpectedExit(listener: (exit: UnexpectedExit) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }
}
