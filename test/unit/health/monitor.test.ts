import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../main/core/health/clock.js';
import { HealthMonitor, type HealthTransition } from '../../../main/core/health/monitor.js';
import type {
  CheckResult,
  HealthChecker,
  HealthService,
  HealthStatus,
} from '../../../main/core/health/types.js';
import { FakeClock } from './fake-clock.js';

/**
 * A checker whose answers are scripted and which takes `durationMs` of the
 * fake clock to answer; it records how many of its runs overlap.
 */
function scripted(
  clock: FakeClock,
  opts: {
    id?: string;
    service?: HealthService;
    durationMs?: number;
    statuses?: HealthStatus[];
  } = {},
) {
  const statuses = opts.statuses ?? ['ok'];
  const stats = { started: [] as number[], running: 0, maxRunning: 0 };
  const checker: HealthChecker = {
    id: opts.id ?? 'db',
    service: opts.service ?? 'relational',
    label: 'Database',
    applicable: () => true,
    check: () => {
      const status = statuses[Math.min(stats.started.length, statuses.length - 1)]!;
      stats.started.push(clock.now());
      stats.running += 1;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      return new Promise<CheckResult>((resolve) =>
        clock.setTimeout(() => {
          stats.running -= 1;
          resolve({ status, latencyMs: opts.durationMs ?? 5, detail: `db ${status}` });
        }, opts.durationMs ?? 5),
      );
    },
  };
  return { checker, stats };
}

describe('HealthMonitor', () => {
  it('runs at once on start, then once per interval, start to start', async () => {
    const clock = new FakeClock(0);
    const { checker, stats } = scripted(clock, { durationMs: 30 });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock });
    monitor.start();
    await clock.advance(420);
    expect(stats.started).toEqual([0, 100, 200, 300, 400]);
    expect(monitor.runCount).toBe(4); // the run started at 400 finishes at 430
    await clock.advance(10);
    expect(monitor.runCount).toBe(5);
    await monitor.stop();
  });

  it('never overlaps runs when a check is slower than the interval', async () => {
    const clock = new FakeClock(0);
    const { checker, stats } = scripted(clock, { durationMs: 250 });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, timeoutMs: 1000, clock });
    monitor.start();
    await clock.advance(2000);
    expect(stats.maxRunning).toBe(1);
    // Each 250 ms run is followed by a full interval, not by an immediate rerun.
    expect(stats.started).toEqual([0, 350, 700, 1050, 1400, 1750]);
    await monitor.stop();
  });

  it('shares one run between concurrent runNow() callers and the timer', async () => {
    const clock = new FakeClock(0);
    const { checker, stats } = scripted(clock, { durationMs: 50 });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock });
    const a = monitor.runNow();
    const b = monitor.runNow();
    expect(a).toBe(b);
    monitor.start(); // its immediate run joins the one in flight
    await clock.advance(50);
    expect((await a).status).toBe('ok');
    expect(stats.started).toEqual([0]);
    expect(stats.maxRunning).toBe(1);
    await monitor.stop();
  });

  it('keeps a history ring of the last N samples per check and for the aggregate', async () => {
    const clock = new FakeClock(0);
    const { checker } = scripted(clock, {
      durationMs: 10,
      statuses: ['ok', 'ok', 'down', 'ok', 'down'],
    });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, historySize: 3, clock });
    monitor.start();
    await clock.advance(420);
    const history = monitor.history('db');
    expect(history).toEqual([
      { at: 210, status: 'down', latencyMs: 10 },
      { at: 310, status: 'ok', latencyMs: 10 },
      { at: 410, status: 'down', latencyMs: 10 },
    ]);
    expect(monitor.statusHistory().map((s) => s.status)).toEqual(['down', 'ok', 'down']);
    expect(monitor.history('nope')).toEqual([]);
    await monitor.stop();
  });

  it('emits a transition once per change of the aggregate, with the reasons', async () => {
    const clock = new FakeClock(0);
    const { checker } = scripted(clock, {
      statuses: ['ok', 'ok', 'down', 'down', 'down', 'ok', 'ok'],
    });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock });
    const transitions: HealthTransition[] = [];
    const updates: HealthStatus[] = [];
    monitor.on('transition', (t) => transitions.push(t));
    monitor.on('update', (a) => updates.push(a.status));
    monitor.start();
    await clock.advance(650);
    expect(updates).toEqual(['ok', 'ok', 'down', 'down', 'down', 'ok', 'ok']);
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['unknown', 'ok'],
      ['ok', 'down'],
      ['down', 'ok'],
    ]);
    expect(transitions[1]!.reasons[0]).toMatchObject({
      check: 'db',
      status: 'down',
      effect: 'down',
    });
    expect(transitions[1]!.at).toBe(205);
    expect(transitions[2]!.reasons).toEqual([]);
    await monitor.stop();
  });

  it('counts a hung check as down and keeps running on schedule', async () => {
    const clock = new FakeClock(0);
    const hangs = vi.fn(() => new Promise<CheckResult>(() => undefined));
    const hung: HealthChecker = {
      id: 'hung',
      service: 'cache',
      label: 'Hung cache',
      applicable: () => true,
      check: hangs,
    };
    const { checker, stats } = scripted(clock, { durationMs: 5 });
    const monitor = new HealthMonitor([checker, hung], { intervalMs: 100, timeoutMs: 40, clock });
    monitor.start();
    await clock.advance(40);
    const agg = monitor.latest!;
    expect(agg.status).toBe('degraded'); // a cache being down only degrades
    expect(agg.reasons[0]!.message).toContain('timed out after 40 ms');
    await clock.advance(200);
    expect(stats.started).toEqual([0, 100, 200]);
    // Every run timed out on the same hung call instead of piling up new ones.
    expect(monitor.history('hung').map((h) => h.status)).toEqual(['down', 'down', 'down']);
    expect(hangs).toHaveBeenCalledTimes(1);
    await monitor.stop();
  });

  it('calls a check again once its earlier call has settled', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const slow: HealthChecker = {
      id: 'slow',
      service: 'cache',
      label: 'Slow cache',
      applicable: () => true,
      check: () => {
        calls += 1;
        return new Promise((resolve) =>
          clock.setTimeout(() => resolve({ status: 'ok', latencyMs: 1, detail: 'late' }), 150),
        );
      },
    };
    const monitor = new HealthMonitor([slow], { intervalMs: 100, timeoutMs: 50, clock });
    monitor.start();
    await clock.advance(120); // run 1 timed out at 50; run 2 at 100 joined the pending call
    expect(calls).toBe(1);
    await clock.advance(100); // the call settled at 150 (run 2: ok); run 3 at 200 starts a new one
    expect(calls).toBe(2);
    expect(monitor.history('slow').map((h) => h.status)).toEqual(['down', 'ok']);
    const stopping = monitor.stop(); // waits for run 3, which the clock must let finish
    await clock.advance(200);
    await stopping;
  });

  it('skips checks that are not applicable, and reports an applicable() that throws', async () => {
    const clock = new FakeClock(0);
    const { checker } = scripted(clock);
    const skipped = vi.fn();
    const monitor = new HealthMonitor(
      [
        checker,
        {
          id: 'backup',
          service: 'backup',
          label: 'Backups',
          applicable: () => false,
          check: skipped,
        },
        {
          id: 'broken',
          service: 'disk',
          label: 'Broken',
          applicable: () => {
            throw new Error('no config');
          },
          check: skipped,
        },
      ],
      { intervalMs: 100, clock },
    );
    const pending = monitor.runNow();
    await clock.advance(5);
    const agg = await pending;
    expect(skipped).not.toHaveBeenCalled();
    expect(agg.checks.map((c) => c.id)).toEqual(['db', 'broken']);
    expect(agg.checks[1]).toMatchObject({ status: 'down' });
    expect(agg.checks[1]!.detail).toContain('applicable() threw: no config');
  });

  it('stop() clears the timer, waits for the run in flight, and start() resumes', async () => {
    const clock = new FakeClock(0);
    const { checker, stats } = scripted(clock, { durationMs: 50 });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock });
    monitor.start();
    await clock.advance(10);
    let stopped = false;
    const stopping = monitor.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect(stopped).toBe(false); // the run started at 0 is still going
    await clock.advance(40);
    await stopping;
    expect(monitor.runCount).toBe(1);
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(stats.started).toEqual([0]);
    monitor.start();
    await clock.advance(60);
    expect(stats.started).toEqual([0, 1050]);
    await monitor.stop();
  });

  it('current() runs once when nothing ran yet, then serves the latest', async () => {
    const clock = new FakeClock(0);
    const { checker, stats } = scripted(clock, { durationMs: 5 });
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock });
    expect(monitor.latest).toBeNull();
    const first = monitor.current();
    await clock.advance(5);
    expect((await first).status).toBe('ok');
    expect(await monitor.current()).toBe(monitor.latest);
    expect(stats.started).toHaveLength(1);
  });

  it('a listener that throws is logged and does not stop the monitor', async () => {
    const clock = new FakeClock(0);
    const { checker } = scripted(clock);
    const warn = vi.fn();
    const monitor = new HealthMonitor([checker], { intervalMs: 100, clock, logger: { warn } });
    monitor.on('update', () => {
      throw new Error('tray crashed');
    });
    monitor.start();
    await clock.advance(250);
    expect(monitor.runCount).toBe(3);
    expect(warn).toHaveBeenCalledWith('a health "update" listener threw', {
      error: 'tray crashed',
    });
    await monitor.stop();
  });

  it('unregistering removes the check and its history', async () => {
    const clock = new FakeClock(0);
    const { checker } = scripted(clock);
    const monitor = new HealthMonitor([], { intervalMs: 100, clock });
    const unregister = monitor.register(checker);
    expect(monitor.checkerIds).toEqual(['db']);
    unregister();
    expect(monitor.checkerIds).toEqual([]);
    expect(monitor.history('db')).toEqual([]);
  });

  describe('refuses bad input with a clear error', () => {
    const good: HealthChecker = {
      id: 'x',
      service: 'cache',
      label: 'X',
      applicable: () => true,
      check: async () => ({ status: 'ok', latencyMs: 1, detail: '' }),
    };
    it.each([
      [{ intervalMs: 0 }, /interval must be a positive whole number of milliseconds, got 0/],
      [{ intervalMs: 1.5 }, /interval must be a positive whole number/],
      [{ intervalMs: Number.NaN }, /interval must be a positive whole number/],
      [{ timeoutMs: -1 }, /timeout must be a positive whole number/],
      [{ historySize: 0 }, /history ring needs a positive whole number of samples, got 0/],
    ])('options %j', (options, message) => {
      expect(() => new HealthMonitor([], options)).toThrow(message);
    });

    it.each([
      [{ ...good, id: '' }, /id "" is not 1-64 letters/],
      [{ ...good, id: 'has space' }, /id "has space"/],
      [{ ...good, service: 'printer' }, /service "printer" is not one of relational/],
      [{ ...good, label: ' ' }, /label is empty/],
      [{ ...good, check: undefined }, /check is not a function/],
      [{ ...good, applicable: 'yes' }, /applicable is not a function/],
      [{ ...good, timeoutMs: 0 }, /timeout of check "x" must be a positive whole number/],
    ])('checker %#', (checker, message) => {
      const monitor = new HealthMonitor();
      let error: unknown;
      try {
        monitor.register(checker as unknown as HealthChecker);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((error as Error).message).toMatch(message);
    });

    it('a duplicate id', () => {
      const monitor = new HealthMonitor([good]);
      expect(() => monitor.register({ ...good })).toThrow(/"x" is already registered/);
    });
  });

  it("the real clock's timers do not keep the process alive", () => {
    const timer = systemClock.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    systemClock.clearTimeout(timer);
  });
});
