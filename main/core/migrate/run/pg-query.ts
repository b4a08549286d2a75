/**
 * One query session on the migration's PostgreSQL target: a pooled client
 * for the callback, released afterwards, and errors the server reported
 * mapped to NovaErrors (pg-session.ts) while Nova's own errors pass through.
 */
import type { PoolClient } from 'pg';
import { NovaError } from '../../errors.js';
import type { MigrationPg } from './pg-session.js';

/** An error PostgreSQL reported (it carries a severity), to be mapped to a NovaError. */
export function isPgServerError(err: unknown): boolean {
  return (
    !(err instanceof NovaError) &&
    err instanceof Error &&
    typeof (err as { severity?: unknown }).severity === 'string'
  );
}

/** Runs `fn` on a pooled client; a server error comes back as the NovaError it means. */
export async function pgQuery<T>(pg: MigrationPg, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pg.connect();
  try {
    return await fn(client);
  } catch (err) {
    throw isPgServerError(err) ? pg.mapError(err) : err;
  } finally {
    client.release();
  }
}
