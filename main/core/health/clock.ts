/**
 * Time as the monitor sees it. Injected so tests can drive intervals and
 * timeouts deterministically instead of sleeping.
 */

/** An opaque timer handle, whatever the clock uses. */
export type TimerHandle = unknown;

export interface MonitorClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms`. Real timers must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd: a monitor alone never keeps Node running. */
export const systemClock: MonitorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
