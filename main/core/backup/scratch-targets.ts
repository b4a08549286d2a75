/**
 * Throw-away databases for verify's trial restores: created on the same
 * server as the live one, named `nova_verify_…` (verify-leftovers.ts),
 * dropped afterwards whatever happens, or by the next run's sweep after a
 * kill. A server that does not allow creating databases (no CREATEDB) is
 * reported as a reason to skip, not as a broken backup.
 */
import { NovaError } from '../errors.js';
import { sqlState } from '../stores/postgres/postgres-errors.js';
import { quotePgIdent } from './content-checksum-postgres.js';
import { withMongo, type MongoBackupTarget } from './mongo-part.js';
import {
  assertScratchName,
  withDatabase,
  withPostgres,
  type PostgresBackupTarget,
} from './postgres-connect.js';
import { scratchName } from './verify-leftovers.js';

/** Thrown when the server will not give us a scratch database; verify records the reason. */
export class ScratchUnavailable extends Error {}

export async function withScratchPostgres<T>(
  server: PostgresBackupTarget,
  fn: (scratch: PostgresBackupTarget) => Promise<T>,
): Promise<T> {
  const name = scratchName();
  assertScratchName(name);
  try {
    await withPostgres(server, (c) => c.query(`CREATE DATABASE ${quotePgIdent(name)}`));
  } catch (err) {
    const state = sqlState((err as { cause?: unknown }).cause) ?? sqlState(err);
    if (state === '42501')
      throw new ScratchUnavailable('the PostgreSQL user may not create databases (CREATEDB)');
    throw err;
  }
  try {
    return await fn(withDatabase(server, name));
  } finally {
    await withPostgres(server, async (c) => {
      const major = Math.floor(
        Number(
          (await c.query<{ n: string }>("SELECT current_setting('server_version_num') AS n"))
            .rows[0]?.n,
        ) / 10_000,
      );
      // FORCE (PostgreSQL 13+) ends sessions a failed restore may have left behind.
      await c.query(
        `DROP DATABASE IF EXISTS ${quotePgIdent(name)}${major >= 13 ? ' WITH (FORCE)' : ''}`,
      );
    }).catch(() => undefined);
  }
}

export async function withScratchMongo<T>(
  server: MongoBackupTarget,
  fn: (scratch: MongoBackupTarget) => Promise<T>,
): Promise<T> {
  const name = scratchName();
  try {
    return await fn({ ...server, dbName: name });
  } finally {
    await withMongo(server, `drop the scratch database ${name}`, (client) =>
      client.db(name).dropDatabase(),
    ).catch(() => undefined);
  }
}

/** NovaError codes that mean "this machine cannot do the trial", not "the backup is bad". */
export function trialSkipReason(err: unknown): string | null {
  if (err instanceof ScratchUnavailable) return err.message;
  if (err instanceof NovaError && err.code === 'BINARY_MISSING') return err.message;
  return null;
}
