/**
 * A FIFO lock for async work. better-sqlite3 runs one connection, so while an
 * async transaction is open anything else sent down that connection would
 * silently become part of it; the store holds this lock for the whole
 * transaction and makes unrelated statements wait.
 */
export type Release = () => void;

export class AsyncMutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** True while someone holds the lock (waiters may be queued behind them). */
  get isLocked(): boolean {
    return this.held;
  }

  acquire(): Promise<Release> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(this.releaser()));
    });
  }

  async runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Each release function works once, so a double release cannot free someone else's hold. */
  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the lock straight to the next waiter so nobody can barge in between.
      if (next) next();
      else this.held = false;
    };
  }
}
