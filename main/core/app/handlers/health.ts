/** `health.*` handlers: the monitor's aggregate and history. */
import { healthSummary } from '../../health/rollup.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';

export function healthHandlers(
  rt: AppRuntime,
): Pick<Handlers, 'health.current' | 'health.refresh' | 'health.history'> {
  return {
    'health.current': async () => healthSummary(await rt.layer.monitor.current()),
    'health.refresh': async () => healthSummary(await rt.layer.monitor.runNow()),
    'health.history': async () => {
      const { monitor } = rt.layer;
      return {
        overall: monitor.statusHistory(),
        checks: Object.fromEntries(monitor.checkerIds.map((id) => [id, monitor.history(id)])),
        intervalMs: monitor.intervalMs,
      };
    },
  };
}
