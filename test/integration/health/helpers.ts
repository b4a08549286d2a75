/** Shared by the health integration tests: waiting on a real monitor, and a quiet server logger. */
import type { HealthAggregate } from '../../../main/core/health/aggregate.js';
import type { HealthMonitor, HealthTransition } from '../../../main/core/health/monitor.js';
import type { HealthStatus } from '../../../main/core/health/types.js';
import type { ServerLogger } from '../../../main/server/http-server.js';

export const quietLogger: ServerLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

/** Resolves with the first transition to `to`; rejects after `timeoutMs`. */
export function nextTransition(
  monitor: HealthMonitor,
  to: HealthStatus,
  timeoutMs: number,
): Promise<HealthTransition> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      monitor.off('transition', onTransition);
      reject(
        new Error(
          `no transition to ${to} within ${timeoutMs} ms (latest: ${monitor.latest?.status})`,
        ),
      );
    }, timeoutMs);
    const onTransition = (t: HealthTransition): void => {
      if (t.to !== to) return;
      clearTimeout(timer);
      monitor.off('transition', onTransition);
      resolve(t);
    };
    monitor.on('transition', onTransition);
  });
}

/** Resolves with the first aggregate (the latest, or a later run) whose status is `status`. */
export function untilStatus(
  monitor: HealthMonitor,
  status: HealthStatus,
  timeoutMs: number,
): Promise<HealthAggregate> {
  if (monitor.latest?.status === status) return Promise.resolve(monitor.latest);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      monitor.off('update', onUpdate);
      reject(
        new Error(
          `health did not become ${status} within ${timeoutMs} ms (latest: ${JSON.stringify(monitor.latest?.reasons)})`,
        ),
      );
    }, timeoutMs);
    const onUpdate = (agg: HealthAggregate): void => {
      if (agg.status !== status) return;
      clearTimeout(timer);
      monitor.off('update', onUpdate);
      resolve(agg);
    };
    monitor.on('update', onUpdate);
  });
}
