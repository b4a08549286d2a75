/**
 * The orchestration view (main/core/services/README.md): what the ServiceManager's state
 * machines say about the services it runs. The store checks measure real
 * reachability; this adds why a service is not running (starting, failed
 * with a reason) so the tray can say more than "connection refused".
 */
import type { ServiceName, ServiceStatus, ServiceState } from '../../services/types.js';
import type { CheckResult, HealthChecker, HealthStatus } from '../types.js';
import { worse } from '../aggregate.js';

/** The ServiceManager fits this structurally. */
export interface OrchestrationSource {
  statusAll(): Promise<ServiceStatus[]>;
}

const LABEL: Record<ServiceName, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

const STATUS_OF: Record<ServiceState, HealthStatus> = {
  healthy: 'ok',
  starting: 'degraded',
  stopping: 'degraded',
  degraded: 'degraded',
  stopped: 'down',
  failed: 'down',
};

export function servicesChecker(source: OrchestrationSource): HealthChecker {
  return {
    id: 'services',
    service: 'services',
    label: 'Service orchestration',
    applicable: () => true,
    check: () => checkServices(source),
  };
}

async function checkServices(source: OrchestrationSource): Promise<CheckResult> {
  // Embedded services run inside Nova and external ones elsewhere: Nova runs
  // neither, so their state says nothing here (their store checks say whether they answer).
  const statuses = (await source.statusAll()).filter(
    (s) => s.provider !== 'embedded' && s.provider !== 'external',
  );
  if (statuses.length === 0) {
    return {
      status: 'ok',
      latencyMs: null,
      detail:
        'Nova runs no server process itself in this setup (embedded or external servers only).',
    };
  }
  let status: HealthStatus = 'ok';
  let fix: string | undefined;
  const parts: string[] = [];
  const metrics: Record<string, number> = {};
  for (const s of statuses) {
    const st = STATUS_OF[s.state] ?? 'down';
    status = worse(status, st);
    if (st !== 'ok') fix ??= s.fix;
    metrics[`${s.service}_up`] = s.state === 'healthy' ? 1 : 0;
    const label = LABEL[s.service] ?? s.service;
    parts.push(`${label} ${s.state} (${s.provider})${s.reason ? `: ${s.reason}` : ''}`);
  }
  return {
    status,
    latencyMs: null,
    detail: parts.join('; '),
    ...(status !== 'ok' && fix ? { fix } : {}),
    metrics,
  };
}
