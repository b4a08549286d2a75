/**
 * A manual clock for the monitor: time moves only when a test calls
 * advance(), and due timers fire in time order with pending promise work
 * flushed after each, so interval logic is tested without sleeping.
 */
import type { MonitorClock, TimerHandle } from '../../../main/core/health/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every already-resolved promise chain run to completion. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements MonitorClock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.t + Math.max(0, ms), seq: this.seq, fn });
    return this.seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flushPromises();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at > end) continue;
        if (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
          next = timer;
      }
      if (!next) break;
      this.timers.delete(next.seq);
      this.t = next.at;
      next.fn();
      await flushPromises();
    }
    this.t = end;
    await flushPromises();
  }
}
