import { afterEach, describe, expect, it } from 'vitest';
import { ServiceStateMachine } from '../../../main/core/services/service-state-machine.js';
import {
  Supervisor,
  type Clock,
  type SupervisedService,
} from '../../../main/core/services/supervisor.js';

/** Time that moves only when the test says so. */
class ManualClock implements Clock {
  #now = 0;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #nextId = 1;
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  pending(): number[] {
    return this.#timers.map((t) => t.at - this.#now).sort((a, b) => a - b);
  }
  /** Advances time, firing due timers in order and letting their promise chains settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/**
 * A scripted server: `alive` says what check() reports; restart() succeeds
 * or fails as `restartOutcomes` says (default: succeeds and the server is alive again).
 */
class ScriptedServer implements SupervisedService {
  readonly service = 'postgres' as const;
  readonly machine = new ServiceStateMachine('postgres');
  alive = true;
  restarts = 0;
  restartOutcomes: ('ok' | 'fail' | 'dead-after')[] = [];
  exitListener: ((reason: string) => void) | undefined;
  async check() {
    return this.alive
      ? ({ ok: true } as const)
      : ({ ok: false, reason: 'postgres (pid 42) exited unexpectedly' } as const);
  }
  async restart() {
    this.restarts++;
    const outcome = this.restartOutcomes.shift() ?? 'ok';
    if (outcome === 'fail')
      throw new Error('pg_ctl start failed: shared memory block still in use');
    this.alive = outcome === 'ok';
  }
  async logs(lines: number) {
    return ['LOG: database system is shut down', 'FATAL: could not write lock file', 'extra'].slice(
      -lines,
    );
  }
  onUnexpectedExit(listener: (reason: string) => void) {
    this.exitListener = listener;
    return () => (this.exitListener = undefined);
  }
}

function healthyServer(): ScriptedServer {
  const s = new ScriptedServer();
  s.machine.transition('starting');
  s.machine.transition('healthy');
  return s;
}

let supervisor: Supervisor | undefined;
afterEach(() => supervisor?.close());

describe('Supervisor', () => {
  it('polls a healthy server and leaves it alone while it answers', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({ clock, pollIntervalMs: 1000 });
    const server = healthyServer();
    supervisor.watch(server);
    await clock.advance(10_000);
    expect(server.restarts).toBe(0);
    expect(server.machine.state).toBe('healthy');
    expect(clock.pending()).toEqual([1000]); // the next poll is always scheduled
  });

  it('detects a dead server by polling, goes degraded, restarts after the first backoff and is healthy again', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({ clock, pollIntervalMs: 1000, initialDelayMs: 500 });
    const server = healthyServer();
    const states: string[] = [];
    server.machine.on('state-changed', (c) =>
      states.push(`${c.to}${c.reason ? `(${c.reason})` : ''}`),
    );
    supervisor.watch(server);
    server.alive = false;
    await clock.advance(1000); // poll fires, finds it dead
    expect(server.machine.state).toBe('degraded');
    expect(server.machine.reason).toContain('exited unexpectedly');
    expect(server.restarts).toBe(0);
    await clock.advance(499);
    expect(server.restarts).toBe(0); // not before the backoff delay
    await clock.advance(1);
    expect(server.restarts).toBe(1);
    expect(server.machine.state).toBe('healthy');
    expect(states).toEqual([
      'degraded(postgres (pid 42) exited unexpectedly)',
      'healthy(recovered after 1 restart)',
    ]);
  });

  it('reacts to an exit event at once, without waiting for the poll', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({ clock, pollIntervalMs: 60_000, initialDelayMs: 500 });
    const server = healthyServer();
    supervisor.watch(server);
    server.alive = false;
    server.exitListener?.('redis-server (pid 7) exited unexpectedly (signal SIGKILL)');
    expect(server.machine.state).toBe('degraded');
    expect(server.machine.reason).toContain('SIGKILL');
    await clock.advance(500);
    expect(server.machine.state).toBe('healthy');
  });

  it('backs off exponentially between failed restarts: 0.5 s, 1 s, 2 s, 4 s, capped', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({
      clock,
      pollIntervalMs: 1000,
      initialDelayMs: 500,
      maxDelayMs: 3000,
      maxRestarts: 10,
      windowMs: 600_000,
    });
    const delays: number[] = [];
    supervisor.on('restart-scheduled', (e) => delays.push(e.delayMs));
    const server = healthyServer();
    server.restartOutcomes = ['fail', 'fail', 'dead-after', 'fail', 'ok'];
    supervisor.watch(server);
    server.alive = false;
    await clock.advance(1000);
    await clock.advance(500 + 1000 + 2000 + 3000 + 3000);
    expect(delays).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(server.restarts).toBe(5);
    expect(server.machine.state).toBe('healthy');
  });

  it('gives up after maxRestarts within the window: failed, with the last error and log lines', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({
      clock,
      pollIntervalMs: 1000,
      initialDelayMs: 100,
      maxRestarts: 3,
      windowMs: 60_000,
    });
    const gaveUp: string[] = [];
    supervisor.on('gave-up', (e) => gaveUp.push(e.reason));
    const server = healthyServer();
    server.restartOutcomes = ['fail', 'fail', 'fail', 'fail'];
    supervisor.watch(server);
    server.alive = false;
    await clock.advance(1000);
    await clock.advance(100 + 200 + 400 + 10);
    expect(server.restarts).toBe(3);
    expect(server.machine.state).toBe('failed');
    expect(server.machine.reason).toContain('3 restarts within 60 s');
    expect(server.machine.reason).toContain('shared memory block still in use');
    expect(server.machine.reason).toContain('FATAL: could not write lock file');
    expect(server.machine.fix).toMatch(/log/);
    expect(gaveUp).toHaveLength(1);
    expect(supervisor.isWatching('postgres')).toBe(false);
    await clock.advance(60_000);
    expect(server.restarts).toBe(3); // no more attempts once failed
  });

  it('forgets restarts older than the window, so rare crashes are always recovered', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({
      clock,
      pollIntervalMs: 1000,
      initialDelayMs: 100,
      maxRestarts: 2,
      windowMs: 10_000,
    });
    const server = healthyServer();
    supervisor.watch(server);
    for (let crash = 0; crash < 4; crash++) {
      server.alive = false;
      await clock.advance(1000 + 100);
      expect(server.machine.state).toBe('healthy');
      await clock.advance(15_000); // longer than the window
    }
    expect(server.restarts).toBe(4);
  });

  it('release() during a restart waits for it and then stays out of the way', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({ clock, pollIntervalMs: 1000, initialDelayMs: 100 });
    const server = healthyServer();
    let finishRestart: () => void = () => undefined;
    server.restart = () => {
      server.restarts++;
      return new Promise<void>((resolve) => {
        finishRestart = () => {
          server.alive = true;
          resolve();
        };
      });
    };
    supervisor.watch(server);
    server.alive = false;
    await clock.advance(1100); // restart now in flight
    expect(server.restarts).toBe(1);
    let released = false;
    const release = supervisor.release('postgres').then(() => (released = true));
    await flush();
    expect(released).toBe(false);
    finishRestart();
    await release;
    // The manager owns the state from here: the supervisor did not mark it healthy.
    expect(server.machine.state).toBe('degraded');
    await clock.advance(10_000);
    expect(server.restarts).toBe(1);
    expect(clock.pending()).toEqual([]);
  });

  it('ignores failures while the manager is starting or stopping the service', async () => {
    const clock = new ManualClock();
    supervisor = new Supervisor({ clock, pollIntervalMs: 1000 });
    const server = healthyServer();
    supervisor.watch(server);
    server.machine.transition('stopping');
    server.alive = false;
    server.exitListener?.('exited');
    await clock.advance(5000);
    expect(server.machine.state).toBe('stopping');
    expect(server.restarts).toBe(0);
  });
});
