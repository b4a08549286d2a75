/**
 * Scheduled backups (main/core/backup/README.md). The next run is computed from the last GOOD
 * backup on disk, not from when the process started, so restarting the app
 * every hour does not postpone backups forever, and a run that failed is
 * retried after a shorter delay instead of waiting a whole interval. Timers
 * are unref'd (a schedule never keeps a process alive) and the clock is
 * injectable for tests. A run never overlaps another: not in this
 * scheduler, and a run refused because another process holds the backup
 * folder's lock (BACKUP_RUNNING) is a skip, not a failure.
 */
import { isNovaError } from '../errors.js';

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Node timers overflow past ~24.8 days; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When the next backup is due: one interval after the last good backup
 * (now, if there is none or it is overdue), but not before `retryAfterMs`
 * has passed since a failed attempt.
 */
export function computeNextRun(input: {
  now: number;
  intervalMs: number;
  lastGoodAt: number | null;
  lastFailureAt: number | null;
  retryAfterMs: number;
}): number {
  let next = input.lastGoodAt === null ? input.now : input.lastGoodAt + input.intervalMs;
  if (input.lastFailureAt !== null) next = Math.max(next, input.lastFailureAt + input.retryAfterMs);
  return Math.max(next, input.now);
}

export type RunOutcome = { at: Date; ok: true } | { at: Date; ok: false; error: unknown };

export interface BackupSchedulerOptions {
  intervalMs: number;
  /** Makes one backup (and whatever goes with it: verify, retention). */
  runJob: () => Promise<unknown>;
  /** When the newest good backup was made, or null when there is none. */
  lastGoodBackupAt: () => Promise<Date | null>;
  /** Wait after a failed run before trying again (default: the interval, at most one hour). */
  retryAfterMs?: number;
  clock?: SchedulerClock;
  /** Told about every run (for logs and health: "last backup failed because…"). */
  onRun?: (outcome: RunOutcome) => void;
}

export class BackupScheduler {
  private readonly clock: SchedulerClock;
  private readonly retryAfterMs: number;
  private timer: unknown;
  private started = false;
  private current: Promise<void> | undefined;
  private lastFailureAt: number | null = null;
  /** A run that succeeded counts as a good backup even before the disk says so, so a job that writes nothing cannot loop. */
  private lastSuccessAt: number | null = null;
  private next: number | null = null;

  constructor(private readonly options: BackupSchedulerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('The backup interval must be positive.');
    this.clock = options.clock ?? systemClock;
    this.retryAfterMs = options.retryAfterMs ?? Math.min(options.intervalMs, 60 * 60 * 1000);
  }

  /** Arms the timer from the last good backup; idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.arm();
  }

  stop(): void {
    this.started = false;
    this.disarm();
    this.next = null;
  }

  get nextRunAt(): Date | null {
    return this.next === null ? null : new Date(this.next);
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Runs a backup now unless one is running ("skipped"); then re-arms the schedule. */
  async runNow(): Promise<'ran' | 'failed' | 'skipped'> {
    if (this.current) return 'skipped';
    let outcome: 'ran' | 'failed' | 'skipped' = 'ran';
    this.current = (async () => {
      try {
        await this.options.runJob();
        this.lastFailureAt = null;
        this.lastSuccessAt = this.clock.now();
        this.options.onRun?.({ at: new Date(this.clock.now()), ok: true });
      } catch (error) {
        if (isNovaError(error, 'BACKUP_RUNNING')) {
          // Someone else (a click, the CLI) is making a backup right now: not a failure.
          // Waiting retryAfterMs before the next look keeps a long run from being polled.
          outcome = 'skipped';
          this.lastFailureAt = this.clock.now();
          return;
        }
        outcome = 'failed';
        this.lastFailureAt = this.clock.now();
        this.options.onRun?.({ at: new Date(this.clock.now()), ok: false, error });
      }
    })();
    try {
      await this.current;
    } finally {
      this.current = undefined;
    }
    if (this.started) await this.arm();
    return outcome;
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async arm(): Promise<void> {
    this.disarm();
    const onDisk = (await this.options.lastGoodBackupAt().catch(() => null))?.getTime() ?? null;
    if (!this.started) return;
    const lastGood =
      onDisk === null ? this.lastSuccessAt : Math.max(onDisk, this.lastSuccessAt ?? onDisk);
    this.next = computeNextRun({
      now: this.clock.now(),
      intervalMs: this.options.intervalMs,
      lastGoodAt: lastGood,
      lastFailureAt: this.lastFailureAt,
      retryAfterMs: this.retryAfterMs,
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.next === null) return;
    const wait = Math.min(Math.max(0, this.next - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.started || this.next === null) return;
      if (this.clock.now() < this.next) this.schedule();
      else void this.runNow();
    }, wait);
  }
}
