/**
 * One status per data service, folded from the same aggregate everything
 * else reads (docs/ARCHITECTURE.md#registered-health-checkers), so the dashboard's service table, its
 * cards, the sidebar and the tray cannot disagree: PostgreSQL's status is
 * its relational check, MongoDB's the documents check, Redis's the cache
 * check — each made worse when the orchestrator says the service is not
 * up. Pure.
 */
import type { HealthAggregate } from './aggregate.js';
import { worse } from './aggregate.js';
import type { HealthService, HealthStatus } from './types.js';

export type RollupService = 'postgres' | 'mongo' | 'redis';

export interface ServiceRollup {
  service: RollupService;
  /** What it holds, e.g. "relational data". */
  role: 'relational data' | 'documents' | 'cache';
  /** The check's label: "PostgreSQL", "SQLite", "Documents (PostgreSQL JSONB)"… */
  label: string;
  status: HealthStatus;
  detail: string;
  /** The check this status comes from; null when none ran for it. */
  checkId: string | null;
}

const ROLES: { service: RollupService; check: HealthService; role: ServiceRollup['role'] }[] = [
  { service: 'postgres', check: 'relational', role: 'relational data' },
  { service: 'mongo', check: 'documents', role: 'documents' },
  { service: 'redis', check: 'cache', role: 'cache' },
];

const NAME: Record<RollupService, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

export function serviceRollup(agg: HealthAggregate): ServiceRollup[] {
  const orchestration = agg.checks.find((c) => c.service === 'services');
  return ROLES.map(({ service, check, role }) => {
    const outcome = agg.checks.find((c) => c.service === check);
    // 1 healthy, 0 not; absent for embedded services, which are not orchestrated.
    const up = orchestration?.metrics?.[`${service}_up`];
    if (!outcome) {
      return {
        service,
        role,
        label: NAME[service],
        status: up === 1 ? 'ok' : 'down',
        detail: 'Not checked: the data layer is not open.',
        checkId: null,
      };
    }
    const status = up === 0 ? worse(outcome.status, 'degraded') : outcome.status;
    return {
      service,
      role,
      label: outcome.label,
      status,
      detail:
        up === 0 && outcome.status === 'ok'
          ? `${outcome.detail} (the service itself is not running as it should)`
          : outcome.detail,
      checkId: outcome.id,
    };
  });
}

/** The aggregate as the contract carries it: with the per-service rollup. */
export function healthSummary(
  agg: HealthAggregate,
): HealthAggregate & { services: ServiceRollup[] } {
  return { ...agg, services: serviceRollup(agg) };
}
