import { describe, expect, it } from 'vitest';
import { aggregate } from '../../../main/core/health/aggregate.js';
import {
  escapeLabelValue,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from '../../../main/core/health/metrics.js';
import { outcome } from './outcomes.js';
import { parsePrometheusText, type MetricFamily } from './prometheus-text-parser.js';

function sample(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.get(name);
  return family?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

const awkwardPath = 'C:\\Nova "data"\nsecond line';

const agg = aggregate([
  outcome('relational', 'ok', {
    latencyMs: 2.5,
    metrics: {
      pool_idle: 3,
      pool_active: 1,
      pool_waiting: 0,
      pool_max: 10,
      database_size_bytes: 8_000_000,
      server_connections: 6,
      server_max_connections: 100,
    },
  }),
  outcome('documents', 'ok', { metrics: { collections: 7, data_size_bytes: 12345 } }),
  outcome('cache', 'down', { metrics: undefined }),
  outcome('disk', 'ok', {
    latencyMs: 0.1,
    metricLabels: { path: awkwardPath, 'bad-name': 'x' },
    metrics: { free_bytes: 5e10, total_bytes: 1e11 },
  }),
  outcome('backup', 'degraded', {
    latencyMs: null,
    metrics: { backup_age_seconds: 200_000, backup_interval_seconds: 86_400 },
  }),
  outcome('services', 'ok', {
    latencyMs: null,
    metrics: { postgres_up: 1, redis_up: 0, custom_thing: 4.25 },
  }),
]);

describe('renderMetrics', () => {
  const text = renderMetrics(agg, { runs: 12 });
  const families = parsePrometheusText(text);

  it('parses strictly, and every family has HELP and TYPE', () => {
    expect(families.size).toBeGreaterThan(10);
    for (const f of families.values()) {
      expect(f.help, f.name).toBeTruthy();
      expect(['gauge', 'counter'], f.name).toContain(f.type);
    }
    expect(text.endsWith('\n')).toBe(true);
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('exports the aggregate as a state set and the monitor runs as a counter', () => {
    expect(sample(families, 'nova_health_status', { status: 'degraded' })).toBe(1);
    expect(sample(families, 'nova_health_status', { status: 'ok' })).toBe(0);
    expect(sample(families, 'nova_health_status', { status: 'down' })).toBe(0);
    expect(families.get('nova_health_runs_total')).toMatchObject({
      type: 'counter',
      samples: [{ value: 12 }],
    });
    expect(sample(families, 'nova_health_last_check_timestamp_seconds', {})).toBe(1_700_000_000);
  });

  it('exports up, status, latency and duration per check', () => {
    expect(
      sample(families, 'nova_service_up', {
        check: 'postgres',
        service: 'relational',
        backend: 'postgres',
      }),
    ).toBe(1);
    expect(sample(families, 'nova_service_up', { check: 'redis' })).toBe(0);
    expect(sample(families, 'nova_check_status', { check: 'redis' })).toBe(2);
    expect(sample(families, 'nova_check_status', { check: 'backup' })).toBe(1);
    expect(sample(families, 'nova_check_latency_seconds', { check: 'postgres' })).toBe(0.0025);
    // No latency measured, no latency sample (rather than a made-up 0).
    expect(sample(families, 'nova_check_latency_seconds', { check: 'redis' })).toBeUndefined();
    expect(sample(families, 'nova_check_duration_seconds', { check: 'redis' })).toBe(0.003);
  });

  it('maps checker metrics to their families and labels', () => {
    expect(sample(families, 'nova_pg_pool_connections', { state: 'idle' })).toBe(3);
    expect(sample(families, 'nova_pg_pool_connections', { state: 'active' })).toBe(1);
    expect(sample(families, 'nova_pg_pool_max_connections', {})).toBe(10);
    expect(sample(families, 'nova_pg_database_size_bytes', {})).toBe(8_000_000);
    expect(sample(families, 'nova_pg_server_connections', {})).toBe(6);
    expect(sample(families, 'nova_documents_collections', {})).toBe(7);
    expect(sample(families, 'nova_disk_free_bytes', { check: 'disk' })).toBe(5e10);
    expect(sample(families, 'nova_backup_age_seconds', {})).toBe(200_000);
    expect(sample(families, 'nova_orchestrated_service_up', { service: 'redis' })).toBe(0);
    // A key the catalog does not know is still exported, generically.
    expect(sample(families, 'nova_check_metric', { check: 'services', name: 'custom_thing' })).toBe(
      4.25,
    );
  });

  it('escapes label values per the format and sanitises label names', () => {
    const labels = families.get('nova_disk_free_bytes')!.samples[0]!.labels;
    expect(labels.path).toBe(awkwardPath);
    expect(labels.bad_name).toBe('x');
    expect(text).toContain('path="C:\\\\Nova \\"data\\"\\nsecond line"');
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('writes NaN and infinities as the format spells them', () => {
    const odd = renderMetrics(
      aggregate([outcome('services', 'ok', { metrics: { a: NaN, b: Infinity, c: -Infinity } })]),
    );
    expect(odd).toContain('name="a"} NaN\n');
    expect(odd).toContain('name="b"} +Inf\n');
    expect(odd).toContain('name="c"} -Inf\n');
    expect(() => parsePrometheusText(odd)).not.toThrow();
  });

  it('renders only the run counter before the first run', () => {
    expect(parsePrometheusText(renderMetrics(null, { runs: 0 })).size).toBe(1);
    expect(renderMetrics(null)).toBe('');
  });
});
