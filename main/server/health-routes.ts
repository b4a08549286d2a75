/**
 * The headless health endpoints (docs/ARCHITECTURE.md#health, #stable-interfaces): `/health` as JSON (200 when
 * ok or degraded, 503 when down — the status code itself is served by
 * http-server.ts) and `/metrics` in the Prometheus text format. Both read the
 * monitor's latest run, so scrapes and probes cost no extra database round
 * trips; before the first run completes they wait for it.
 */
import type { HealthAggregate, HealthReason } from '../core/health/aggregate.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from '../core/health/metrics.js';
import type { HealthService, HealthStatus } from '../core/health/types.js';
import type { HealthReport } from './http-server.js';
import { SECURITY_HEADERS, type Route } from './router.js';

/** The part of HealthMonitor the routes read. */
export interface HealthSource {
  current(): Promise<HealthAggregate>;
  readonly runCount: number;
}

/** One check as `/health` shows it. */
export interface HealthCheckReport {
  id: string;
  service: HealthService;
  label: string;
  backend?: string;
  status: HealthStatus;
  latencyMs: number | null;
  detail: string;
  fix?: string;
  metrics?: Record<string, number>;
  checkedAt: string;
  durationMs: number;
}

/** The `/health` body. `services` keeps the shape the data layer's healthCheck() always had. */
export interface HealthJson extends HealthReport {
  status: HealthStatus;
  checkedAt: string | null;
  reasons: HealthReason[];
  services: {
    service: string;
    backend: string;
    status: HealthStatus;
    latencyMs: number | null;
    detail: string;
    fix?: string;
  }[];
  checks: HealthCheckReport[];
}

const DATA_SERVICES: readonly HealthService[] = ['relational', 'documents', 'cache'];

export function healthJson(agg: HealthAggregate): HealthJson {
  return {
    status: agg.status,
    checkedAt: agg.at > 0 ? new Date(agg.at).toISOString() : null,
    reasons: agg.reasons,
    services: agg.checks
      .filter((c) => DATA_SERVICES.includes(c.service))
      .map((c) => ({
        service: c.service,
        backend: c.backend ?? c.id,
        status: c.status,
        latencyMs: c.latencyMs,
        detail: c.detail,
        ...(c.fix ? { fix: c.fix } : {}),
      })),
    checks: agg.checks.map((c) => ({
      id: c.id,
      service: c.service,
      label: c.label,
      ...(c.backend ? { backend: c.backend } : {}),
      status: c.status,
      latencyMs: c.latencyMs,
      detail: c.detail,
      ...(c.fix ? { fix: c.fix } : {}),
      ...(c.metrics ? { metrics: c.metrics } : {}),
      checkedAt: new Date(c.at).toISOString(),
      durationMs: c.durationMs,
    })),
  };
}

/** What to pass as startHttpServer's `health` option. */
export function healthFromMonitor(monitor: HealthSource): () => Promise<HealthJson> {
  return async () => healthJson(await monitor.current());
}

/** Routes to pass as startHttpServer's `routes` option: `GET /metrics`. */
export function healthRoutes(monitor: HealthSource): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      handler: async ({ res }) => {
        const body = renderMetrics(await monitor.current(), { runs: monitor.runCount });
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': PROMETHEUS_CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      },
    },
  ];
}
