/**
 * Runs the registered checks on an interval (docs/ARCHITECTURE.md#health): a setTimeout chain,
 * not setInterval, so a slow run is never overlapped by the next; every
 * timer is unref'd and idle cost is one pending timer. It keeps the latest
 * aggregate, a history ring per check for the dashboard's charts, and emits
 * `transition` when the aggregate status changes (tray icon, notifications)
 * and `update` after every run (tray menu, dashboard).
 */
import { EventEmitter } from 'node:events';
import { NovaError } from '../errors.js';
import { aggregate, type HealthAggregate, type HealthReason } from './aggregate.js';
import { systemClock, type MonitorClock, type TimerHandle } from './clock.js';
import { RingBuffer } from './ring-buffer.js';
import { assertTimeout, runCheck } from './run-check.js';
import {
  HEALTH_SERVICES,
  type CheckOutcome,
  type CheckResult,
  type HealthChecker,
  type HealthStatus,
} from './types.js';

export interface HealthMonitorOptions {
  /** Time between the starts of two runs (default 30 s). A run longer than this delays the next by a full interval. */
  intervalMs?: number;
  /** Default per-check timeout (default 5 s); a check that takes longer counts as down. */
  timeoutMs?: number;
  /** Samples kept per check and for the aggregate (default 120: one hour at 30 s). */
  historySize?: number;
  clock?: MonitorClock;
  /** Where a misbehaving event listener is reported (it must not stop the monitor). */
  logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** One point of a check's history. */
export interface HistorySample {
  at: number;
  status: HealthStatus;
  latencyMs: number | null;
}

/** The aggregate status changed. `from` is `unknown` on the very first run. */
export interface HealthTransition {
  from: HealthStatus | 'unknown';
  to: HealthStatus;
  reasons: HealthReason[];
  at: number;
}

interface MonitorEvents {
  transition: [HealthTransition];
  update: [HealthAggregate];
}

export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
export const DEFAULT_HISTORY_SIZE = 120;

export class HealthMonitor extends EventEmitter<MonitorEvents> {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly historySize: number;
  private readonly clock: MonitorClock;
  private readonly logger: HealthMonitorOptions['logger'];
  private readonly checkers = new Map<string, HealthChecker>();
  private readonly histories = new Map<string, RingBuffer<HistorySample>>();
  private readonly pendingChecks = new Map<string, Promise<CheckResult>>();
  private readonly overall: RingBuffer<{ at: number; status: HealthStatus }>;
  private timer: TimerHandle | undefined;
  private started = false;
  private inflight: Promise<HealthAggregate> | undefined;
  private latestAggregate: HealthAggregate | null = null;
  private runs = 0;

  constructor(checkers: Iterable<HealthChecker> = [], options: HealthMonitorOptions = {}) {
    super();
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    assertTimeout(this.intervalMs, 'The health check interval');
    assertTimeout(this.timeoutMs, 'The health check timeout');
    this.overall = new RingBuffer(this.historySize);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    for (const c of checkers) this.register(c);
  }

  /** Adds a checker; returns a function that removes it again. */
  register(checker: HealthChecker): () => void {
    validateChecker(checker);
    if (this.checkers.has(checker.id)) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `A health check "${checker.id}" is already registered.`,
        {
          fix: 'Give every checker a unique id, or unregister the old one first.',
        },
      );
    }
    this.checkers.set(checker.id, checker);
    this.histories.set(checker.id, new RingBuffer(this.historySize));
    return () => {
      if (this.checkers.get(checker.id) !== checker) return;
      this.checkers.delete(checker.id);
      this.histories.delete(checker.id);
    };
  }

  /** Ids of the registered checkers, in registration order. */
  get checkerIds(): string[] {
    return [...this.checkers.keys()];
  }

  /** The aggregate of the last completed run, or null before the first. */
  get latest(): HealthAggregate | null {
    return this.latestAggregate;
  }

  /** How many runs have completed. */
  get runCount(): number {
    return this.runs;
  }

  get isRunning(): boolean {
    return this.started;
  }

  /** Oldest first; empty for an unknown id. */
  history(checkId: string): HistorySample[] {
    return this.histories.get(checkId)?.toArray() ?? [];
  }

  /** The aggregate status of every recent run, oldest first. */
  statusHistory(): { at: number; status: HealthStatus }[] {
    return this.overall.toArray();
  }

  /** Starts the interval with a run right away. Calling it again does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops scheduling and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
  }

  /**
   * Runs every applicable check now. Callers arriving while a run is in
   * progress share it, which is what keeps runs from ever overlapping.
   */
  runNow(): Promise<HealthAggregate> {
    this.inflight ??= this.run().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The latest aggregate, running the checks first when none has completed yet. */
  current(): Promise<HealthAggregate> {
    return this.latestAggregate ? Promise.resolve(this.latestAggregate) : this.runNow();
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const started = this.clock.now();
    await this.runNow();
    if (!this.started || this.timer !== undefined) return;
    const elapsed = this.clock.now() - started;
    // Keep a steady cadence; a run that overran its slot skips to the next
    // full interval instead of starting again at once, so a hung service
    // cannot turn the monitor into a busy loop.
    this.schedule(elapsed >= this.intervalMs ? this.intervalMs : this.intervalMs - elapsed);
  }

  private async run(): Promise<HealthAggregate> {
    const outcomes = await Promise.all([...this.checkers.values()].map((c) => this.runOne(c)));
    const present = outcomes.filter((o): o is CheckOutcome => o !== undefined);
    const result = aggregate(present, this.clock.now());
    for (const o of present) {
      this.histories.get(o.id)?.push({ at: o.at, status: o.status, latencyMs: o.latencyMs });
    }
    this.overall.push({ at: result.at, status: result.status });
    const from = this.latestAggregate?.status ?? 'unknown';
    this.latestAggregate = result;
    this.runs += 1;
    this.safeEmit('update', result);
    if (from !== result.status) {
      this.safeEmit('transition', {
        from,
        to: result.status,
        reasons: result.reasons,
        at: result.at,
      });
    }
    return result;
  }

  private async runOne(checker: HealthChecker): Promise<CheckOutcome | undefined> {
    let applicable: boolean;
    try {
      applicable = checker.applicable();
    } catch (err) {
      // A broken applicable() is a bug worth seeing, not a reason to hide the check.
      const message = err instanceof Error ? err.message : String(err);
      return runCheck(
        {
          ...pick(checker),
          applicable: () => true,
          check: () => Promise.reject(new Error(`applicable() threw: ${message}`)),
        },
        { timeoutMs: this.timeoutMs, clock: this.clock },
      );
    }
    if (!applicable) return undefined;
    return runCheck(
      { ...pick(checker), applicable: () => true, check: () => this.singleFlight(checker) },
      { timeoutMs: this.timeoutMs, clock: this.clock },
    );
  }

  /**
   * A check that hung past its timeout is still pending; the next run waits
   * on that same call (and times out again) instead of starting another, so
   * a server that never answers cannot pile up connections run after run.
   */
  private singleFlight(checker: HealthChecker): Promise<CheckResult> {
    const pending = this.pendingChecks.get(checker.id);
    if (pending) return pending;
    const call: Promise<CheckResult> = Promise.resolve()
      .then(() => checker.check())
      .finally(() => {
        if (this.pendingChecks.get(checker.id) === call) this.pendingChecks.delete(checker.id);
      });
    this.pendingChecks.set(checker.id, call);
    return call;
  }

  private safeEmit<K extends keyof MonitorEvents>(event: K, ...args: MonitorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: MonitorEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.logger?.warn(`a health "${event}" listener threw`, {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

function pick(c: HealthChecker): Omit<HealthChecker, 'applicable' | 'check'> {
  return {
    id: c.id,
    service: c.service,
    label: c.label,
    ...(c.backend !== undefined ? { backend: c.backend } : {}),
    ...(c.metricLabels !== undefined ? { metricLabels: c.metricLabels } : {}),
    ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
  };
}

function validateChecker(c: HealthChecker): void {
  const problems: string[] = [];
  if (typeof c !== 'object' || c === null) problems.push('it is not an object');
  else {
    if (typeof c.id !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(c.id))
      problems.push(`id ${JSON.stringify(c.id)} is not 1-64 letters, digits or _.:-`);
    if (!HEALTH_SERVICES.includes(c.service))
      problems.push(
        `service ${JSON.stringify(c.service)} is not one of ${HEALTH_SERVICES.join(', ')}`,
      );
    if (typeof c.label !== 'string' || c.label.trim() === '') problems.push('label is empty');
    if (typeof c.check !== 'function') problems.push('check is not a function');
    if (typeof c.applicable !== 'function') problems.push('applicable is not a function');
  }
  if (problems.length > 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot register the health check: ${problems.join('; ')}.`,
      {
        fix: 'A checker is { id, service, label, applicable(), check() }; see main/core/health/types.ts.',
      },
    );
  }
  if (c.timeoutMs !== undefined) assertTimeout(c.timeoutMs, `The timeout of check "${c.id}"`);
}
