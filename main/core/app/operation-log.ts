/**
 * The log tells the story of every operation (issue 14, item 7): each Task
 * — backup, verify, trial restore, restore, migration run, resume, dry run —
 * logs when it starts and how it ends (finished with what, failed with why
 * and the fix, cancelled), and every service state change is logged. The
 * operations themselves stay silent about this; it is one listener here.
 */
import type { StateChange } from '../services/service-state-machine.js';
import type { Logger } from '../logger.js';
import type { TaskRegistry, TaskSnapshot } from '../tasks/task.js';

const SERVICE_LABEL: Record<string, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

/** A short, readable summary of what a finished task produced (its result is kind-specific). */
export function describeTaskResult(result: unknown): string | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as Record<string, unknown>;
  const bits: string[] = [];
  // A backup job answers { backup: { name }, verify: {…} | null }; the others name things at the top.
  const backup = r.backup as { name?: unknown } | undefined;
  if (typeof r.name === 'string') bits.push(r.name);
  else if (typeof backup?.name === 'string') bits.push(backup.name);
  if (r.verified === true || (r.verify !== undefined && r.verify !== null)) bits.push('verified');
  if (r.trialRestored === true) bits.push('trial restore ok');
  if (typeof r.restored === 'number') bits.push(`${r.restored} part(s) restored`);
  if (typeof r.rejectsTotal === 'number') bits.push(`${r.rejectsTotal} row(s) rejected`);
  if (r.ok === false) bits.push('with problems');
  return bits.length ? bits.join(', ') : undefined;
}

/** Logs each task's start and outcome; returns the unsubscribe function. */
export function logTaskOutcomes(tasks: TaskRegistry, logger: Logger): () => void {
  const seen = new Map<string, TaskSnapshot['state']>();
  const onState = (task: TaskSnapshot) => {
    if (seen.get(task.id) === task.state) return;
    seen.set(task.id, task.state);
    const fields = { task: task.kind };
    switch (task.state) {
      case 'running':
        logger.info(`${task.title}: started`, fields);
        break;
      case 'succeeded': {
        const what = describeTaskResult(task.result);
        logger.info(`${task.title}: finished${what ? ` (${what})` : ''}`, fields);
        seen.delete(task.id);
        break;
      }
      case 'failed':
        logger.error(`${task.title}: failed: ${task.error?.message ?? 'unknown error'}`, {
          ...fields,
          ...(task.error?.code ? { code: task.error.code } : {}),
          ...(task.error?.fix ? { fix: task.error.fix } : {}),
        });
        seen.delete(task.id);
        break;
      case 'cancelled':
        logger.warn(`${task.title}: cancelled`, fields);
        seen.delete(task.id);
        break;
      default:
        break;
    }
  };
  tasks.on('state-changed', onState);
  return () => tasks.off('state-changed', onState);
}

/** One line per service state change: "Redis: healthy → stopped". */
export function logServiceChange(logger: Logger, change: StateChange): void {
  const label = SERVICE_LABEL[change.service] ?? change.service;
  const line = `${label}: ${change.from} → ${change.to}`;
  const fields = change.reason ? { reason: change.reason } : undefined;
  if (change.to === 'failed') logger.error(line, fields);
  else if (change.to === 'degraded') logger.warn(line, fields);
  else logger.info(line, fields);
}
