/**
 * `/metrics`: the latest health aggregate in the Prometheus text exposition
 * format (version 0.0.4). Pure: a function of the aggregate, so what
 * Prometheus scrapes always agrees with `/health` and the tray.
 *
 * Format rules followed here: one `# HELP` and one `# TYPE` line per
 * family, before all of its samples, which form one group; label values
 * escape `\`, `"` and newline; HELP text escapes `\` and newline; counters
 * end in `_total`; the body ends with a newline.
 */
import type { HealthAggregate } from './aggregate.js';
import type { CheckOutcome, HealthService, HealthStatus } from './types.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type MetricType = 'gauge' | 'counter';

interface FamilySpec {
  name: string;
  type: MetricType;
  help: string;
}

interface CatalogEntry extends FamilySpec {
  /** Labels that tell this key's samples apart within the family. */
  labels?: Record<string, string>;
}

const gauge = (name: string, help: string, labels?: Record<string, string>): CatalogEntry => ({
  name,
  type: 'gauge',
  help,
  ...(labels ? { labels } : {}),
});
const counter = (name: string, help: string): CatalogEntry => ({ name, type: 'counter', help });

const POOL = "Connections in this process's PostgreSQL pool, by state.";

/** Checker metric keys, per kind of service, that have a family of their own. */
const CATALOG: Partial<Record<HealthService, Record<string, CatalogEntry>>> = {
  relational: {
    pool_idle: gauge('nova_pg_pool_connections', POOL, { state: 'idle' }),
    pool_active: gauge('nova_pg_pool_connections', POOL, { state: 'active' }),
    pool_waiting: gauge(
      'nova_pg_pool_waiting_clients',
      'Callers queued for a free PostgreSQL pool connection.',
    ),
    pool_max: gauge(
      'nova_pg_pool_max_connections',
      'Size limit of the PostgreSQL pool (POSTGRES_POOL_MAX).',
    ),
    database_size_bytes: gauge(
      'nova_pg_database_size_bytes',
      'Size of the PostgreSQL database on disk.',
    ),
    server_connections: gauge(
      'nova_pg_server_connections',
      'Client connections open on the PostgreSQL server (all clients).',
    ),
    server_max_connections: gauge(
      'nova_pg_server_max_connections',
      "The PostgreSQL server's max_connections.",
    ),
    file_size_bytes: gauge('nova_sqlite_file_size_bytes', 'Size of the SQLite database file.'),
    wal_size_bytes: gauge('nova_sqlite_wal_size_bytes', 'Size of the SQLite write-ahead log.'),
  },
  documents: {
    collections: gauge('nova_documents_collections', 'Collections in the document database.'),
    data_size_bytes: gauge('nova_documents_data_size_bytes', 'Data size of the document database.'),
  },
  cache: {
    hits: counter('nova_cache_hits_total', 'Cache lookups that found a value, in this process.'),
    misses: counter(
      'nova_cache_misses_total',
      'Cache lookups that found nothing, in this process.',
    ),
    keys: gauge('nova_cache_keys', "Keys in the cache under this appliance's prefix."),
    hit_ratio: gauge(
      'nova_cache_hit_ratio',
      'Share of cache lookups that hit (Redis: server keyspace counters).',
    ),
    redis_keyspace_hits: counter(
      'nova_redis_keyspace_hits_total',
      'Redis INFO keyspace_hits (all clients of that server).',
    ),
    redis_keyspace_misses: counter(
      'nova_redis_keyspace_misses_total',
      'Redis INFO keyspace_misses (all clients of that server).',
    ),
    redis_memory_used_bytes: gauge('nova_redis_memory_used_bytes', 'Redis INFO used_memory.'),
  },
  disk: {
    free_bytes: gauge(
      'nova_disk_free_bytes',
      'Bytes available to the appliance on the disk of the data directory.',
    ),
    total_bytes: gauge('nova_disk_size_bytes', 'Size of the disk of the data directory.'),
    backup_disk_free_bytes: gauge(
      'nova_backup_disk_free_bytes',
      'Bytes available on the disk of the backup folder.',
    ),
    backup_expected_bytes: gauge(
      'nova_backup_next_expected_bytes',
      'Expected size of the next backup (the last one of the current setup plus a growth margin).',
    ),
  },
  backup: {
    backup_age_seconds: gauge(
      'nova_backup_age_seconds',
      'Age of the last verified backup that covers the current setup.',
    ),
    restore_test_age_seconds: gauge(
      'nova_restore_test_age_seconds',
      'Age of the last successful trial restore of a backup of the current setup.',
    ),
    restore_test_ok: gauge(
      'nova_restore_test_ok',
      'Whether the latest trial restore succeeded (1) or failed / never ran on an existing backup (0).',
    ),
    backup_interval_seconds: gauge(
      'nova_backup_interval_seconds',
      'Interval of the backup schedule.',
    ),
  },
  migration: {
    migrations_unfinished: gauge(
      'nova_migrations_unfinished',
      'Migration attempts that stopped or failed before finishing and were not resumed or discarded.',
    ),
  },
  services: {
    postgres_up: gauge(
      'nova_orchestrated_service_up',
      'Whether an orchestrated service is healthy (1) or not (0).',
      { service: 'postgres' },
    ),
    mongo_up: gauge(
      'nova_orchestrated_service_up',
      'Whether an orchestrated service is healthy (1) or not (0).',
      { service: 'mongo' },
    ),
    redis_up: gauge(
      'nova_orchestrated_service_up',
      'Whether an orchestrated service is healthy (1) or not (0).',
      { service: 'redis' },
    ),
  },
};

const GENERIC: FamilySpec = {
  name: 'nova_check_metric',
  type: 'gauge',
  help: 'Further numbers reported by health checks, by check and name.',
};

const STATUS_CODE: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

export interface MetricsInfo {
  /** Completed monitor runs, exported as a counter. */
  runs?: number;
}

interface Family extends FamilySpec {
  samples: string[];
}

/** Collects samples by family, keeping the order families first appear in. */
class Exposition {
  private readonly families = new Map<string, Family>();

  add(spec: FamilySpec, labels: Record<string, string>, value: number): void {
    let family = this.families.get(spec.name);
    if (!family) {
      family = { ...spec, samples: [] };
      this.families.set(spec.name, family);
    }
    family.samples.push(`${spec.name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  render(): string {
    const lines: string[] = [];
    for (const f of this.families.values()) {
      lines.push(
        `# HELP ${f.name} ${escapeHelp(f.help)}`,
        `# TYPE ${f.name} ${f.type}`,
        ...f.samples,
      );
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}

/** Renders the aggregate (null before the first run) as Prometheus text. */
export function renderMetrics(agg: HealthAggregate | null, info: MetricsInfo = {}): string {
  const out = new Exposition();
  if (info.runs !== undefined) {
    out.add(
      { name: 'nova_health_runs_total', type: 'counter', help: 'Health monitor runs completed.' },
      {},
      info.runs,
    );
  }
  if (!agg) return out.render();
  const statusFamily: FamilySpec = {
    name: 'nova_health_status',
    type: 'gauge',
    help: 'Aggregate health of the appliance: 1 for the current status, 0 for the others.',
  };
  for (const s of ['ok', 'degraded', 'down'] as const)
    out.add(statusFamily, { status: s }, agg.status === s ? 1 : 0);
  if (agg.at > 0) {
    out.add(
      {
        name: 'nova_health_last_check_timestamp_seconds',
        type: 'gauge',
        help: 'When the newest health check finished (Unix time).',
      },
      {},
      agg.at / 1000,
    );
  }
  for (const o of agg.checks) addCheck(out, o);
  return out.render();
}

function addCheck(out: Exposition, o: CheckOutcome): void {
  const base = { check: o.id };
  out.add(
    {
      name: 'nova_service_up',
      type: 'gauge',
      help: 'Whether a checked service answers (1) or is down (0).',
    },
    { ...base, service: o.service, ...(o.backend ? { backend: o.backend } : {}) },
    o.status === 'down' ? 0 : 1,
  );
  out.add(
    {
      name: 'nova_check_status',
      type: 'gauge',
      help: 'Status of each health check: 0 ok, 1 degraded, 2 down.',
    },
    base,
    STATUS_CODE[o.status],
  );
  if (o.latencyMs !== null) {
    out.add(
      {
        name: 'nova_check_latency_seconds',
        type: 'gauge',
        help: 'Round-trip latency measured by each health check.',
      },
      base,
      o.latencyMs / 1000,
    );
  }
  out.add(
    {
      name: 'nova_check_duration_seconds',
      type: 'gauge',
      help: 'How long each health check took, including timeouts.',
    },
    base,
    o.durationMs / 1000,
  );
  const extra = sanitizeLabels(o.metricLabels ?? {});
  for (const [key, value] of Object.entries(o.metrics ?? {})) {
    const entry = CATALOG[o.service]?.[key];
    if (entry) out.add(entry, { ...extra, ...base, ...entry.labels }, value);
    else out.add(GENERIC, { ...extra, ...base, name: key }, value);
  }
}

/** Label names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with `__` (reserved). */
function sanitizeLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    let clean = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^__+/, '_');
    if (!/^[a-zA-Z_]/.test(clean)) clean = `_${clean}`;
    out[clean] = value;
  }
  return out;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
