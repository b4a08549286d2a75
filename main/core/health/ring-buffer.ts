/**
 * A fixed-size ring of the most recent samples: the monitor keeps one per
 * check for the dashboard's latency chart, so memory stays flat however
 * long the app runs.
 */
import { NovaError } from '../errors.js';

export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** Index the next push writes to. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `A history ring needs a positive whole number of samples, got ${String(capacity)}.`,
        { fix: 'Pass e.g. 120 (one hour of samples at a 30 s interval).' },
      );
    }
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i += 1) out.push(this.items[(start + i) % this.capacity] as T);
    return out;
  }

  /** The newest sample, if any. */
  last(): T | undefined {
    return this.count === 0
      ? undefined
      : this.items[(this.next - 1 + this.capacity) % this.capacity];
  }
}
