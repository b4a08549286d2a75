/**
 * Long work is a Task (docs/ARCHITECTURE.md#long-work-is-a-task): an id, a state, progress
 * (phase, done/total, rate, ETA), cancellation, and a result or an error as
 * data. Migrations, dry runs, backups, verifies and restores run as Tasks so the UI, the
 * CLI and the HTTP server observe them the same way, and a UI that reloads
 * can ask for the current state.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { NovaError, toErrorData, type ErrorData } from '../errors.js';

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TaskProgress {
  phase: string;
  /** What is being worked on inside the phase, e.g. a table name. */
  item?: string;
  done: number;
  total: number | null;
  /** Units per second over the recent window. */
  rate: number | null;
  /** Seconds left at the current rate, when total is known. */
  etaSeconds: number | null;
}

export interface TaskSnapshot<R = unknown> {
  id: string;
  kind: string;
  title: string;
  state: TaskState;
  progress: TaskProgress;
  startedAt: string | null;
  finishedAt: string | null;
  result?: R;
  error?: ErrorData;
}

/** What a task body gets: progress reporting and a cancellation signal it must honour. */
export interface TaskContext {
  readonly signal: AbortSignal;
  progress(update: Partial<Omit<TaskProgress, 'rate' | 'etaSeconds'>>): void;
  /** Throws TASK_CANCELLED when cancellation was requested; call between units of work. */
  throwIfCancelled(): void;
}

export type TaskBody<R> = (ctx: TaskContext) => Promise<R>;

export interface TaskEvents<R> {
  progress: [TaskSnapshot<R>];
  'state-changed': [TaskSnapshot<R>];
}

const RATE_WINDOW_MS = 5_000;

export class Task<R = unknown> extends EventEmitter<TaskEvents<R>> {
  readonly id = randomUUID();
  private state: TaskState = 'pending';
  private progressValue: TaskProgress = {
    phase: 'pending',
    done: 0,
    total: null,
    rate: null,
    etaSeconds: null,
  };
  private readonly controller = new AbortController();
  private startedAt: Date | null = null;
  private finishedAt: Date | null = null;
  private result: R | undefined;
  private error: ErrorData | undefined;
  /**
   * Recent (time, done) samples per item of the current phase: items may
   * interleave (a migration loads two tables at once), and each keeps its
   * own rate.
   */
  private samples = new Map<string, { at: number; done: number }[]>();
  private promise: Promise<R> | undefined;

  constructor(
    readonly kind: string,
    readonly title: string,
    private readonly body: TaskBody<R>,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** Starts the task once; later calls return the same promise. */
  start(): Promise<R> {
    this.promise ??= this.run();
    return this.promise;
  }

  /** Requests cancellation; the body stops at its next check. */
  cancel(): void {
    if (this.state === 'pending') {
      this.finish('cancelled');
      return;
    }
    this.controller.abort();
  }

  snapshot(): TaskSnapshot<R> {
    return {
      id: this.id,
      kind: this.kind,
      title: this.title,
      state: this.state,
      progress: { ...this.progressValue },
      startedAt: this.startedAt?.toISOString() ?? null,
      finishedAt: this.finishedAt?.toISOString() ?? null,
      ...(this.result !== undefined ? { result: this.result } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private async run(): Promise<R> {
    if (this.state === 'cancelled') throw cancelledError();
    this.startedAt = new Date(this.now());
    this.setState('running');
    const ctx: TaskContext = {
      signal: this.controller.signal,
      progress: (update) => this.updateProgress(update),
      throwIfCancelled: () => {
        if (this.controller.signal.aborted) throw cancelledError();
      },
    };
    try {
      const result = await this.body(ctx);
      this.result = result;
      this.finish('succeeded');
      return result;
    } catch (err) {
      this.error = toErrorData(err);
      this.finish(this.controller.signal.aborted ? 'cancelled' : 'failed');
      throw err;
    }
  }

  private updateProgress(update: Partial<Omit<TaskProgress, 'rate' | 'etaSeconds'>>): void {
    const phaseChanged = update.phase !== undefined && update.phase !== this.progressValue.phase;
    if (phaseChanged) this.samples.clear();
    const next = { ...this.progressValue, ...update };
    const at = this.now();
    const key = next.item ?? '';
    const samples = this.samples.get(key) ?? [];
    this.samples.set(key, samples);
    samples.push({ at, done: next.done });
    while (samples.length > 2 && at - samples[0]!.at > RATE_WINDOW_MS) samples.shift();
    const first = samples[0]!;
    const elapsed = (at - first.at) / 1000;
    const rate = elapsed > 0 ? (next.done - first.done) / elapsed : null;
    next.rate = rate;
    next.etaSeconds =
      rate && rate > 0 && next.total !== null ? Math.max(0, (next.total - next.done) / rate) : null;
    this.progressValue = next;
    this.emit('progress', this.snapshot());
  }

  private finish(state: TaskState): void {
    this.finishedAt = new Date(this.now());
    this.setState(state);
  }

  private setState(state: TaskState): void {
    this.state = state;
    this.emit('state-changed', this.snapshot());
  }
}

function cancelledError(): NovaError {
  return new NovaError('TASK_CANCELLED', 'The task was cancelled.', {
    fix: 'Start it again when ready; resumable tasks continue where they stopped.',
  });
}

/** Keeps the tasks of this process so a reloaded UI can find them again. */
export class TaskRegistry extends EventEmitter<{
  task: [TaskSnapshot];
  progress: [TaskSnapshot];
  'state-changed': [TaskSnapshot];
}> {
  private readonly tasks = new Map<string, Task<unknown>>();

  constructor(private readonly keepFinished = 50) {
    super();
  }

  /** Registers and starts a task; returns it (its promise via task.start()). */
  run<R>(kind: string, title: string, body: TaskBody<R>): Task<R> {
    const task = new Task<R>(kind, title, body);
    this.tasks.set(task.id, task as Task<unknown>);
    task.on('progress', (s) => this.emit('progress', s as TaskSnapshot));
    task.on('state-changed', (s) => {
      this.emit('state-changed', s as TaskSnapshot);
      if (s.finishedAt) this.prune();
    });
    this.emit('task', task.snapshot() as TaskSnapshot);
    // Failures are observed through state; the registry must not leave an unhandled rejection.
    task.start().catch(() => undefined);
    return task;
  }

  get(id: string): Task<unknown> | undefined {
    return this.tasks.get(id);
  }

  list(): TaskSnapshot[] {
    return [...this.tasks.values()].map((t) => t.snapshot());
  }

  /** Cancels running tasks and waits for them to stop (shutdown phase). */
  async cancelAll(): Promise<void> {
    const running = [...this.tasks.values()].filter((t) => t.snapshot().state === 'running');
    for (const t of running) t.cancel();
    await Promise.allSettled(running.map((t) => t.start()));
  }

  private prune(): void {
    const finished = [...this.tasks.values()].filter((t) => t.snapshot().finishedAt !== null);
    for (const t of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.tasks.delete(t.id);
  }
}
