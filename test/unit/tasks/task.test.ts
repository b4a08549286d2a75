import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../main/core/errors.js';
import { Task, TaskRegistry, type TaskSnapshot } from '../../../main/core/tasks/task.js';

describe('Task', () => {
  it('runs to success and records the result and timestamps', async () => {
    const task = new Task('demo', 'Demo', async (ctx) => {
      ctx.progress({ phase: 'work', done: 1, total: 2 });
      return 'done';
    });
    const states: string[] = [];
    task.on('state-changed', (s) => states.push(s.state));
    await expect(task.start()).resolves.toBe('done');
    const snap = task.snapshot();
    expect(states).toEqual(['running', 'succeeded']);
    expect(snap.result).toBe('done');
    expect(snap.startedAt).not.toBeNull();
    expect(snap.finishedAt).not.toBeNull();
  });

  it('computes rate and ETA from progress over time', async () => {
    let now = 0;
    const seen: TaskSnapshot[] = [];
    const task = new Task(
      'copy',
      'Copy',
      async (ctx) => {
        ctx.progress({ phase: 'copy', item: 'logs', done: 0, total: 1000 });
        now = 2_000;
        ctx.progress({ done: 200 });
        now = 4_000;
        ctx.progress({ done: 400 });
      },
      () => now,
    );
    task.on('progress', (s) => seen.push(s));
    await task.start();
    const last = seen.at(-1)!.progress;
    expect(last.rate).toBeCloseTo(100); // 400 rows in 4 s
    expect(last.etaSeconds).toBeCloseTo(6); // 600 left at 100/s
    expect(last.item).toBe('logs');
  });

  it('resets the rate window when the item changes', async () => {
    let now = 0;
    const task = new Task(
      'copy',
      'Copy',
      async (ctx) => {
        ctx.progress({ phase: 'copy', item: 'a', done: 0, total: 10 });
        now = 1_000;
        ctx.progress({ done: 10 });
        ctx.progress({ item: 'b', done: 0, total: 5 });
      },
      () => now,
    );
    await task.start();
    expect(task.snapshot().progress.rate).toBeNull();
  });

  it('keeps a rate per item when items interleave (two tables loading at once)', async () => {
    let now = 0;
    const rates: (number | null)[] = [];
    const task = new Task(
      'copy',
      'Copy',
      async (ctx) => {
        ctx.progress({ phase: 'load', item: 'big', done: 0, total: 1000 });
        ctx.progress({ item: 'small', done: 0, total: 10 });
        now = 1_000;
        ctx.progress({ item: 'big', done: 200, total: 1000 });
        rates.push(task.snapshot().progress.rate);
        now = 2_000;
        ctx.progress({ item: 'small', done: 10, total: 10 });
        rates.push(task.snapshot().progress.rate);
        ctx.progress({ phase: 'indexes', item: 'big', done: 0, total: 2 });
        rates.push(task.snapshot().progress.rate);
      },
      () => now,
    );
    await task.start();
    // big: 200 rows in 1 s; small: 10 rows in 2 s; a new phase starts over.
    expect(rates).toEqual([200, 5, null]);
  });

  it('is cancelled at the next check and reports TASK_CANCELLED', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = new Task('slow', 'Slow', async (ctx) => {
      await gate;
      ctx.throwIfCancelled();
      return 'never';
    });
    const running = task.start();
    task.cancel();
    release();
    const err = await running.catch((e: unknown) => e);
    expect(isNovaError(err, 'TASK_CANCELLED')).toBe(true);
    expect(task.snapshot().state).toBe('cancelled');
    expect(task.snapshot().error?.code).toBe('TASK_CANCELLED');
  });

  it('records a failure as error data', async () => {
    const task = new Task('bad', 'Bad', async () => {
      throw new Error('disk full');
    });
    await expect(task.start()).rejects.toThrow('disk full');
    expect(task.snapshot()).toMatchObject({
      state: 'failed',
      error: { code: 'INTERNAL', message: 'disk full' },
    });
  });
});

describe('TaskRegistry', () => {
  it('lists tasks, finds them by id and cancels all on shutdown', async () => {
    const registry = new TaskRegistry();
    const events: string[] = [];
    registry.on('state-changed', (s) => events.push(`${s.kind}:${s.state}`));
    const quick = registry.run('quick', 'Quick', async () => 1);
    const slow = registry.run('slow', 'Slow', async (ctx) => {
      while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));
      ctx.throwIfCancelled();
    });
    await quick.start();
    expect(registry.get(quick.id)).toBe(quick);
    expect(registry.list().map((s) => s.kind)).toEqual(['quick', 'slow']);
    await registry.cancelAll();
    expect(slow.snapshot().state).toBe('cancelled');
    expect(events).toContain('slow:cancelled');
  });

  it('keeps only the newest finished tasks', async () => {
    const registry = new TaskRegistry(2);
    const tasks = [1, 2, 3].map((n) => registry.run('n', `N${n}`, async () => n));
    await Promise.all(tasks.map((t) => t.start()));
    expect(registry.list().map((s) => s.title)).toEqual(['N2', 'N3']);
  });
});
