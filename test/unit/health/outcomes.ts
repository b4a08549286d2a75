/** Builds CheckOutcomes for the pure aggregate, metrics and tray tests. */
import type { CheckOutcome, HealthService, HealthStatus } from '../../../main/core/health/types.js';

const LABELS: Record<HealthService, [string, string, string | undefined]> = {
  relational: ['postgres', 'PostgreSQL', 'postgres'],
  documents: ['mongodb', 'MongoDB', 'mongodb'],
  cache: ['redis', 'Redis', 'redis'],
  disk: ['disk', 'Free disk', undefined],
  backup: ['backup', 'Backups', undefined],
  services: ['services', 'Service orchestration', undefined],
  migration: ['migration', 'Migration', undefined],
};

export function outcome(
  service: HealthService,
  status: HealthStatus,
  extra: Partial<CheckOutcome> = {},
): CheckOutcome {
  const [id, label, backend] = LABELS[service];
  return {
    id,
    service,
    label,
    ...(backend ? { backend } : {}),
    status,
    latencyMs: status === 'down' ? null : 2.5,
    detail: status === 'ok' ? `${label} answers` : `${label} problem: connection refused`,
    at: 1_700_000_000_000,
    durationMs: 3,
    ...extra,
  };
}
