/**
 * The document store: MongoDB when documents live in their own server,
 * else the JSON tables beside the relational data. Its health() pings and
 * reports the collection count and data size in words; the numbers reach
 * /metrics when the store can also report them as numbers (see
 * DocumentStatsSource; the MongoDB store does).
 */
import type { DocumentStore } from '../../stores/types.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { fromServiceHealth, requireBackend } from './shared.js';

/** Optional capability of a document store: its size as numbers, for /metrics. */
export interface DocumentStatsSource {
  databaseStats(): Promise<{ collections: number; dataSizeBytes: number }>;
}

export type DocumentsHealthSource = Pick<DocumentStore, 'health' | 'backend'> &
  Partial<DocumentStatsSource>;

const LABELS: Record<string, string> = {
  mongodb: 'MongoDB',
  'sqlite-json': 'Documents (SQLite)',
  'postgres-jsonb': 'Documents (PostgreSQL)',
};

export function documentsChecker(
  store: () => DocumentsHealthSource | undefined,
  backend: string,
): HealthChecker {
  const label = LABELS[backend] ?? `Documents (${backend})`;
  return {
    id: backend === 'mongodb' ? 'mongodb' : 'documents',
    service: 'documents',
    label,
    backend,
    applicable: () => true,
    check: async () => checkDocuments(requireBackend(store(), label)),
  };
}

async function checkDocuments(store: DocumentsHealthSource): Promise<CheckResult> {
  const health = await store.health();
  if (health.status === 'down' || typeof store.databaseStats !== 'function') {
    return fromServiceHealth(health);
  }
  const stats = await store.databaseStats();
  return fromServiceHealth(health, {
    collections: stats.collections,
    data_size_bytes: stats.dataSizeBytes,
  });
}
