/** The backup schedule over a fake clock: due times from the last good backup, retries, no overlap. */
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import {
  BackupScheduler,
  computeNextRun,
  type SchedulerClock,
} from '../../../main/core/backup/scheduler.js';

const HOUR = 60 * 60 * 1000;

/** A clock whose timers fire only when the test advances time. */
class FakeClock implements SchedulerClock {
  t = Date.UTC(2025, 0, 1);
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in order, and lets their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, v]) => v.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    }
    this.t = end;
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }
}

describe('computeNextRun', () => {
  const base = { now: 1000 * HOUR, intervalMs: 24 * HOUR, retryAfterMs: HOUR };
  it('is one interval after the last good backup, or now when there is none or it is overdue', () => {
    expect(computeNextRun({ ...base, lastGoodAt: null, lastFailureAt: null })).toBe(base.now);
    expect(computeNextRun({ ...base, lastGoodAt: base.now - 2 * HOUR, lastFailureAt: null })).toBe(
      base.now + 22 * HOUR,
    );
    expect(computeNextRun({ ...base, lastGoodAt: base.now - 48 * HOUR, lastFailureAt: null })).toBe(
      base.now,
    );
  });
  it('waits the retry delay after a failure, even when a backup is overdue', () => {
    expect(
      computeNextRun({ ...base, lastGoodAt: null, lastFailureAt: base.now - 10 * 60 * 1000 }),
    ).toBe(base.now + 50 * 60 * 1000);
  });
});

describe('BackupScheduler', () => {
  it('runs when due, then again one interval after the new backup', async () => {
    const clock = new FakeClock();
    let lastGood: number | null = clock.t - 20 * HOUR;
    const runs: number[] = [];
    const s = new BackupScheduler({
      intervalMs: 24 * HOUR,
      clock,
      lastGoodBackupAt: async () => (lastGood === null ? null : new Date(lastGood)),
      runJob: async () => {
        runs.push(clock.t);
        lastGood = clock.t;
      },
    });
    await s.start();
    expect(s.nextRunAt?.getTime()).toBe(clock.t + 4 * HOUR);
    await clock.advance(4 * HOUR - 1);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(runs).toHaveLength(1);
    expect(s.nextRunAt?.getTime()).toBe(runs[0]! + 24 * HOUR);
    await clock.advance(24 * HOUR);
    expect(runs).toHaveLength(2);
    s.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(48 * HOUR);
    expect(runs).toHaveLength(2);
  });

  it('retries a failed run after the retry delay and reports each outcome', async () => {
    const clock = new FakeClock();
    const outcomes: boolean[] = [];
    let fail = true;
    const s = new BackupScheduler({
      intervalMs: 24 * HOUR,
      retryAfterMs: 2 * HOUR,
      clock,
      lastGoodBackupAt: async () => null,
      runJob: async () => {
        if (fail) throw new Error('disk full');
      },
      onRun: (o) => outcomes.push(o.ok),
    });
    await s.start();
    await clock.advance(0);
    expect(outcomes).toEqual([false]);
    expect(s.nextRunAt?.getTime()).toBe(clock.t + 2 * HOUR);
    fail = false;
    await clock.advance(2 * HOUR);
    expect(outcomes).toEqual([false, true]);
    // The job wrote nothing the disk reports, yet the next run is still an interval away, not a tight loop.
    expect(s.nextRunAt?.getTime()).toBe(clock.t + 24 * HOUR);
    s.stop();
  });

  it('skips a run while one is in progress', async () => {
    const clock = new FakeClock();
    let release!: () => void;
    let started = 0;
    const s = new BackupScheduler({
      intervalMs: HOUR,
      clock,
      lastGoodBackupAt: async () => new Date(clock.t),
      runJob: () => {
        started += 1;
        return new Promise<void>((r) => (release = r));
      },
    });
    const first = s.runNow();
    expect(s.running).toBe(true);
    expect(await s.runNow()).toBe('skipped');
    release();
    expect(await first).toBe('ran');
    expect(started).toBe(1);
    expect(s.running).toBe(false);
  });

  it('a run refused because another backup holds the lock is a skip, retried later, not a failure', async () => {
    const clock = new FakeClock();
    const outcomes: boolean[] = [];
    let busy = true;
    let runs = 0;
    const s = new BackupScheduler({
      intervalMs: HOUR,
      retryAfterMs: 10 * 60 * 1000,
      clock,
      lastGoodBackupAt: async () => null,
      runJob: async () => {
        runs += 1;
        if (busy) throw new NovaError('BACKUP_RUNNING', 'A backup is already running.');
      },
      onRun: (o) => outcomes.push(o.ok),
    });
    expect(await s.runNow()).toBe('skipped');
    expect(outcomes).toEqual([]);
    await s.start();
    // Not polled in a loop while the other run goes on: the next look is a retry delay away.
    await clock.advance(9 * 60 * 1000);
    expect(runs).toBe(1);
    busy = false;
    await clock.advance(2 * 60 * 1000);
    expect(runs).toBe(2);
    expect(outcomes).toEqual([true]);
    s.stop();
  });

  it('takes waits longer than a Node timer can hold in steps', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const s = new BackupScheduler({
      intervalMs: 60 * 24 * HOUR,
      clock,
      lastGoodBackupAt: async () => new Date(clock.t),
      runJob: async () => void (runs += 1),
    });
    await s.start();
    await clock.advance(30 * 24 * HOUR);
    expect(runs).toBe(0);
    await clock.advance(30 * 24 * HOUR);
    expect(runs).toBe(1);
    s.stop();
  });

  it('refuses a non-positive interval', () => {
    expect(
      () =>
        new BackupScheduler({
          intervalMs: 0,
          runJob: async () => undefined,
          lastGoodBackupAt: async () => null,
        }),
    ).toThrow(RangeError);
  });
});
