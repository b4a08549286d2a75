/**
 * Transactional outbox for audit entries (the upgrade's "cross-database
 * transaction"). An audit entry is first written to `nova_audit_outbox` in
 * the relational database — inside the caller's transaction when there is
 * one, so a rollback leaves no audit — and then delivered to the document
 * store's `audit_logs`. Delivery uses the outbox id as the document `_id`,
 * so a crash between "inserted" and "marked delivered" re-delivers into a
 * duplicate-key error that we count as delivered: exactly once.
 *
 * Where the document store has transactions (a MongoDB replica set), a batch
 * is delivered in one majority-committed transaction that skips entries
 * already there, then its outbox rows are deleted together: a primary that
 * fails over cannot roll back an entry whose row is gone, and a failed batch
 * leaves every row pending. Elsewhere entries go one insert at a time.
 */
import { randomUUID } from 'node:crypto';
import { isNovaError } from '../errors.js';
import type { DocumentStore, SqlExecutor } from './types.js';

export const AUDIT_COLLECTION = 'audit_logs';

export interface AuditEntry {
  id: string;
  action: string;
  userId: unknown;
  details: unknown;
  createdAt: Date;
}

export interface DrainResult {
  delivered: number;
  pending: number;
  lastError?: string;
}

interface OutboxRow {
  id: string;
  action: string;
  user_id: string | null;
  details: unknown;
  created_at: string | Date;
}

/** Writes the entry into the outbox through `executor` (a transaction or the plain store). */
export async function enqueueAudit(
  executor: SqlExecutor,
  action: string,
  userId: unknown,
  details: unknown,
): Promise<AuditEntry> {
  const entry: AuditEntry = {
    id: randomUUID(),
    action,
    userId: userId ?? null,
    details: details ?? {},
    createdAt: new Date(),
  };
  await executor.query(
    'INSERT INTO nova_audit_outbox (id, action, user_id, details, created_at) VALUES ($1, $2, $3, $4, $5)',
    [
      entry.id,
      action,
      // JSON-encoded so a numeric id comes back a number and a string id a string.
      JSON.stringify(entry.userId),
      JSON.stringify(entry.details),
      entry.createdAt,
    ],
  );
  return entry;
}

/**
 * Delivers up to `batch` pending entries, oldest first. Stops at the first
 * delivery failure (the document store is probably down) and leaves the rest
 * for the next drain.
 */
export async function drainOutbox(
  sql: SqlExecutor,
  documents: DocumentStore,
  batch = 200,
): Promise<DrainResult> {
  const { rows } = await sql.query<OutboxRow>(
    'SELECT id, action, user_id, details, created_at FROM nova_audit_outbox WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1',
    [batch],
  );
  if (rows.length > 0 && documents.insertAbsentAtomically) {
    const atomic = await deliverAtomically(sql, documents, rows);
    if (atomic) return { ...atomic, pending: await pendingCount(sql) };
  }
  let delivered = 0;
  let lastError: string | undefined;
  for (const row of rows) {
    try {
      await documents.insert(AUDIT_COLLECTION, [toAuditDocument(row)]);
    } catch (err) {
      if (!isNovaError(err, 'CONSTRAINT_VIOLATION')) {
        lastError = err instanceof Error ? err.message : String(err);
        await sql.query(
          'UPDATE nova_audit_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1',
          [row.id, lastError],
        );
        break;
      }
      // Duplicate _id: an earlier drain delivered it and died before deleting the row.
    }
    await sql.query('DELETE FROM nova_audit_outbox WHERE id = $1', [row.id]);
    delivered += 1;
  }
  const pending = await pendingCount(sql);
  return { delivered, pending, ...(lastError ? { lastError } : {}) };
}

/** The batch in one transaction; undefined when the store has none (nothing was written). */
async function deliverAtomically(
  sql: SqlExecutor,
  documents: DocumentStore,
  rows: OutboxRow[],
): Promise<{ delivered: number; lastError?: string } | undefined> {
  try {
    const done = await documents.insertAbsentAtomically!(
      AUDIT_COLLECTION,
      rows.map(toAuditDocument),
    );
    if (!done) return undefined;
  } catch (err) {
    const lastError = err instanceof Error ? err.message : String(err);
    await sql.query(
      'UPDATE nova_audit_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1',
      [rows[0]!.id, lastError],
    );
    return { delivered: 0, lastError };
  }
  const ids = rows.map((r) => r.id);
  await sql.query(
    `DELETE FROM nova_audit_outbox WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
    ids,
  );
  return { delivered: rows.length };
}

export async function pendingCount(sql: SqlExecutor): Promise<number> {
  const { rows } = await sql.query<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM nova_audit_outbox WHERE delivered_at IS NULL',
  );
  return Number(rows[0]?.n ?? 0);
}

function toAuditDocument(row: OutboxRow): Record<string, unknown> & { _id: string } {
  return {
    _id: row.id,
    action: row.action,
    user_id: parseJson(row.user_id),
    details: parseJson(row.details),
    created_at: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

/** SQLite hands JSON back as text, PostgreSQL jsonb as a value; accept both. */
function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
