/** `tasks.*` handlers: what is running, and cancelling it. */
import { NovaError } from '../../errors.js';
import type { Task } from '../../tasks/task.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';

export function requireTask(rt: AppRuntime, id: string): Task<unknown> {
  const task = rt.tasks.get(id);
  if (!task) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `There is no task ${id}; it may have finished long ago or Nova restarted.`,
      {
        fix: 'Reload the page to see the current tasks.',
      },
    );
  }
  return task;
}

export function tasksHandlers(
  rt: AppRuntime,
): Pick<Handlers, 'tasks.list' | 'tasks.get' | 'tasks.cancel'> {
  return {
    'tasks.list': async () => ({ tasks: rt.tasks.list() }),
    'tasks.get': async ({ id }) => requireTask(rt, id).snapshot(),
    'tasks.cancel': async ({ id }) => {
      const task = requireTask(rt, id);
      task.cancel();
      return task.snapshot();
    },
  };
}
