/** Which row hash the identity verification uses against this PostgreSQL server. */
import type { PoolClient } from 'pg';
import { HASH_PROBE, rowHash, type HashKind } from './row-hash.js';

/**
 * lookup3 (PostgreSQL's hashtextextended) when the server computes it the
 * way the engine's port does; md5 otherwise (row-hash.ts).
 */
export async function chooseHash(c: PoolClient): Promise<HashKind> {
  const { rows } = await c.query<{ h: string }>('SELECT hashtextextended($1, 0)::text AS h', [
    HASH_PROBE,
  ]);
  return rows[0]?.h === rowHash('lookup3', HASH_PROBE).toString() ? 'lookup3' : 'md5';
}
