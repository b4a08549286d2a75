/** The numbers a health check reports, as labelled lines on its dashboard card. */
import { formatBytes, formatCount, formatDuration, formatPercent } from '../lib/format.js';

export interface MetricLine {
  label: string;
  value: string;
  /** 0..1 when the line is a usage the card shows as a meter. */
  ratio?: number;
}

const HANDLED = new Set([
  'pool_idle',
  'pool_active',
  'pool_waiting',
  'pool_max',
  'database_size_bytes',
  'server_connections',
  'server_max_connections',
  'file_size_bytes',
  'wal_size_bytes',
  'collections',
  'data_size_bytes',
  'hits',
  'misses',
  'keys',
  'hit_ratio',
  'redis_keyspace_hits',
  'redis_keyspace_misses',
  'redis_memory_used_bytes',
  'free_bytes',
  'total_bytes',
  'backup_age_seconds',
  'backup_interval_seconds',
  'postgres_up',
  'mongo_up',
  'redis_up',
]);

export function metricLines(m: Record<string, number> | undefined): MetricLine[] {
  if (!m) return [];
  const lines: MetricLine[] = [];
  if (m.pool_max !== undefined) {
    const used = (m.pool_active ?? 0) + (m.pool_idle ?? 0);
    lines.push({
      label: 'Pool usage',
      value: `${formatCount(m.pool_active ?? 0)} active, ${formatCount(m.pool_idle ?? 0)} idle of ${formatCount(m.pool_max)}${m.pool_waiting ? `, ${formatCount(m.pool_waiting)} waiting` : ''}`,
      ratio: m.pool_max > 0 ? used / m.pool_max : 0,
    });
  }
  if (m.server_connections !== undefined && m.server_max_connections)
    lines.push({
      label: 'Server connections',
      value: `${formatCount(m.server_connections)} of ${formatCount(m.server_max_connections)}`,
      ratio: m.server_connections / m.server_max_connections,
    });
  if (m.database_size_bytes !== undefined)
    lines.push({ label: 'Database size', value: formatBytes(m.database_size_bytes) });
  if (m.file_size_bytes !== undefined)
    lines.push({ label: 'File size', value: formatBytes(m.file_size_bytes) });
  if (m.wal_size_bytes !== undefined)
    lines.push({ label: 'WAL size', value: formatBytes(m.wal_size_bytes) });
  if (m.collections !== undefined)
    lines.push({ label: 'Collections', value: formatCount(m.collections) });
  if (m.data_size_bytes !== undefined)
    lines.push({ label: 'Data size', value: formatBytes(m.data_size_bytes) });
  if (m.hit_ratio !== undefined)
    lines.push({ label: 'Cache hit rate', value: formatPercent(m.hit_ratio), ratio: m.hit_ratio });
  else if (m.hits !== undefined || m.misses !== undefined)
    lines.push({ label: 'Cache hit rate', value: 'no lookups yet' });
  if (m.keys !== undefined) lines.push({ label: 'Keys', value: formatCount(m.keys) });
  if (m.redis_memory_used_bytes !== undefined)
    lines.push({ label: 'Memory used', value: formatBytes(m.redis_memory_used_bytes) });
  if (m.free_bytes !== undefined && m.total_bytes)
    lines.push({
      label: 'Free disk',
      value: `${formatBytes(m.free_bytes)} of ${formatBytes(m.total_bytes)}`,
      ratio: 1 - m.free_bytes / m.total_bytes,
    });
  if (m.backup_age_seconds !== undefined)
    lines.push({ label: 'Last good backup', value: `${formatDuration(m.backup_age_seconds)} ago` });
  if (m.backup_interval_seconds !== undefined)
    lines.push({ label: 'Schedule', value: `every ${formatDuration(m.backup_interval_seconds)}` });
  for (const [key, value] of Object.entries(m)) {
    if (!HANDLED.has(key)) lines.push({ label: key.replace(/_/g, ' '), value: formatCount(value) });
  }
  return lines;
}
