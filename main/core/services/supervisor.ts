/**
 * Keeps native servers up (main/core/services/README.md). A server we run can die under us —
 * OOM killer, a stray `kill -9`, a full disk. The supervisor notices (an
 * exit event from a child we own, or polling: pid gone / handshake
 * failing), marks the service `degraded`, and restarts it with exponential
 * backoff. Too many restarts within a window means something is really
 * wrong: the service becomes `failed` with the last log lines in the
 * reason, so the person reading the tray or `nova-db status` sees why.
 *
 * Time is injected (Clock) so the backoff schedule is unit-tested without
 * waiting for it.
 */
import { EventEmitter } from 'node:events';
import type { ServiceStateMachine } from './service-state-machine.js';
import type { ServiceName } from './types.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // supervision must never keep the process alive on its own
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the supervisor needs to know about one service. */
export interface SupervisedService {
  service: ServiceName;
  machine: ServiceStateMachine;
  /** Alive and answering? */
  check(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Starts the server again (the provider's start). */
  restart(): Promise<void>;
  /** Last lines of the server's log, for the "gave up" reason. */
  logs(lines: number): Promise<string[]>;
  /** Immediate notification that the process exited; polling covers servers without one. */
  onUnexpectedExit?(listener: (reason: string) => void): () => void;
}

export interface SupervisorOptions {
  clock?: Clock;
  /** How often a healthy service is checked (default 2000 ms). */
  pollIntervalMs?: number;
  /** First restart delay (default 500 ms), doubled each attempt up to maxDelayMs (default 8000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many restarts within windowMs (defaults 5 within 60 s). */
  maxRestarts?: number;
  windowMs?: number;
}

export interface SupervisorEvents {
  /** A restart is scheduled: attempt number (1-based) and its delay. */
  'restart-scheduled': [{ service: ServiceName; attempt: number; delayMs: number; reason: string }];
  recovered: [{ service: ServiceName; attempts: number }];
  'gave-up': [{ service: ServiceName; reason: string }];
}

interface Watch {
  target: SupervisedService;
  active: boolean;
  recovering: boolean;
  checking: boolean;
  attempt: number;
  restartTimes: number[];
  timer: unknown;
  unsubscribe: (() => void) | undefined;
  /** A restart in progress, so release() can wait for it. */
  inflight: Promise<void> | undefined;
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #clock: Clock;
  readonly #poll: number;
  readonly #initial: number;
  readonly #maxDelay: number;
  readonly #maxRestarts: number;
  readonly #window: number;
  readonly #watches = new Map<ServiceName, Watch>();

  constructor(options: SupervisorOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#poll = options.pollIntervalMs ?? 2000;
    this.#initial = options.initialDelayMs ?? 500;
    this.#maxDelay = options.maxDelayMs ?? 8000;
    this.#maxRestarts = options.maxRestarts ?? 5;
    this.#window = options.windowMs ?? 60_000;
  }

  /** Starts supervising a service that is healthy now. Replaces an earlier watch of the same service. */
  watch(target: SupervisedService): void {
    this.unwatch(target.service);
    const w: Watch = {
      target,
      active: true,
      recovering: false,
      checking: false,
      attempt: 0,
      restartTimes: [],
      timer: undefined,
      unsubscribe: undefined,
      inflight: undefined,
    };
    w.unsubscribe = target.onUnexpectedExit?.((reason) => this.#onFailure(w, reason));
    this.#watches.set(target.service, w);
    this.#schedulePoll(w);
  }

  /** Stops supervising (call BEFORE stopping a service on purpose, so its exit is not "unexpected"). */
  unwatch(service: ServiceName): void {
    const w = this.#watches.get(service);
    if (!w) return;
    w.active = false;
    this.#clock.clearTimeout(w.timer);
    w.unsubscribe?.();
    this.#watches.delete(service);
  }

  /**
   * Stops supervising and waits for a restart that is already running, so
   * the caller's own stop does not race a supervisor-initiated start.
   */
  async release(service: ServiceName): Promise<void> {
    const inflight = this.#watches.get(service)?.inflight;
    this.unwatch(service);
    await inflight?.catch(() => undefined);
  }

  /** Stops supervising everything. */
  close(): void {
    for (const service of [...this.#watches.keys()]) this.unwatch(service);
  }

  isWatching(service: ServiceName): boolean {
    return this.#watches.has(service);
  }

  #schedulePoll(w: Watch): void {
    if (!w.active) return;
    this.#clock.clearTimeout(w.timer);
    w.timer = this.#clock.setTimeout(() => void this.#pollOnce(w), this.#poll);
  }

  async #pollOnce(w: Watch): Promise<void> {
    if (!w.active || w.recovering || w.checking) return;
    w.checking = true;
    let result: { ok: true } | { ok: false; reason: string };
    try {
      result = await w.target.check();
    } catch (err) {
      result = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      w.checking = false;
    }
    if (!w.active || w.recovering) return;
    if (result.ok) this.#schedulePoll(w);
    else this.#onFailure(w, result.reason);
  }

  #onFailure(w: Watch, reason: string): void {
    if (!w.active || w.recovering) return;
    if (w.target.machine.state !== 'healthy') return; // starting/stopping: the manager owns those
    w.recovering = true;
    this.#clock.clearTimeout(w.timer);
    w.target.machine.transition('degraded', reason);
    this.#scheduleRestart(w, reason);
  }

  #scheduleRestart(w: Watch, reason: string): void {
    if (!w.active) return;
    const now = this.#clock.now();
    w.restartTimes = w.restartTimes.filter((t) => now - t < this.#window);
    if (w.restartTimes.length >= this.#maxRestarts) {
      void this.#giveUp(w, reason);
      return;
    }
    const delayMs = Math.min(this.#initial * 2 ** w.attempt, this.#maxDelay);
    w.attempt += 1;
    this.emit('restart-scheduled', {
      service: w.target.service,
      attempt: w.attempt,
      delayMs,
      reason,
    });
    w.timer = this.#clock.setTimeout(() => {
      w.inflight = this.#attemptRestart(w).finally(() => (w.inflight = undefined));
    }, delayMs);
  }

  async #attemptRestart(w: Watch): Promise<void> {
    if (!w.active) return;
    w.restartTimes.push(this.#clock.now());
    let failure: string | undefined;
    try {
      await w.target.restart();
      const result = await w.target.check();
      if (!result.ok) failure = result.reason;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (!w.active) return; // stopped on purpose while we were restarting
    if (failure !== undefined) {
      this.#scheduleRestart(w, failure);
      return;
    }
    const attempts = w.attempt;
    w.recovering = false;
    w.attempt = 0;
    w.target.machine.transition(
      'healthy',
      `recovered after ${attempts} restart${attempts === 1 ? '' : 's'}`,
    );
    this.emit('recovered', { service: w.target.service, attempts });
    this.#schedulePoll(w);
  }

  async #giveUp(w: Watch, lastReason: string): Promise<void> {
    const lines = await w.target.logs(8).catch(() => [] as string[]);
    if (!w.active) return;
    const service = w.target.service;
    const reason =
      `${service} kept failing: ${this.#maxRestarts} restarts within ${Math.round(this.#window / 1000)} s did not bring it back. ` +
      `Last error: ${lastReason}` +
      (lines.length ? `\nLast log lines:\n${lines.join('\n')}` : '');
    this.unwatch(service);
    w.target.machine.fail(
      reason,
      `Read the ${service} log, fix the cause (disk space, permissions, a damaged data directory), then start the service again.`,
    );
    this.emit('gave-up', { service, reason });
  }
}
