/**
 * What MongoDB's health says: round trip, collections and data size, the
 * server version, what the store had to make up for (capabilities notes),
 * and the deployment — a replica set's members and its primary. A set that
 * answers but has no primary is degraded, not down: reads of secondaries
 * work, writes and audit delivery wait (entries stay in the outbox) until
 * an election finishes.
 */
import type { Db } from 'mongodb';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';
import type { ServiceHealth } from '../types.js';
import { downHealth } from '../service-health.js';
import { describeDeployment, readDeployment, readMemberStates } from './mongo-deployment.js';
import { mapMongoError, mongoHosts } from './mongo-errors.js';

/** dbStats sizes are numbers (doubles on some servers); anything else counts as unreported. */
function isSize(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Collection count and data size. The count comes from listCollections
 * (which also surfaces a lost connection); dbStats fields differ between
 * servers and emulators (the test emulator may omit them, or the command
 * altogether), so the size is optional.
 */
export async function readDbStats(
  db: Db,
): Promise<{ collections: number; dataSize: number | undefined }> {
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  const stats = (await db.command({ dbStats: 1 }).catch(() => ({}))) as {
    dataSize?: unknown;
  };
  return { collections: collections.length, dataSize: isSize(stats.dataSize) };
}

/** `ensureOpen` throws when the store was closed. */
export async function mongoHealth(
  db: Db,
  url: string,
  notes: readonly string[],
  ensureOpen: () => void,
): Promise<ServiceHealth> {
  const base = { service: 'documents', backend: 'mongodb' };
  const where = `MongoDB at ${mongoHosts(url)}`;
  try {
    ensureOpen();
    const deployment = await readDeployment(db).catch(() => undefined);
    const states = deployment?.kind === 'replica-set' ? await readMemberStates(db) : undefined;
    const topology = deployment ? `; ${describeDeployment(deployment, states)}` : '';
    if (deployment?.kind === 'replica-set' && !deployment.primary) {
      return {
        ...base,
        status: 'degraded',
        latencyMs: null,
        detail: `${where}: no primary right now${topology}`,
        fix: 'The replica set is electing a primary (or has lost its majority): writes fail and audit entries wait in the outbox until one is elected. If it lasts, check that a majority of the members are up.',
      };
    }
    const started = performance.now();
    await db.command({ ping: 1 });
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const stats = await readDbStats(db);
    // buildInfo, like dbStats, differs between servers and emulators: the version is optional.
    const info = (await db
      .admin()
      .command({ buildInfo: 1 })
      .catch(() => ({}))) as { version?: unknown };
    const parts = [`${stats.collections} collections`];
    if (stats.dataSize !== undefined) parts.push(`${formatBytes(stats.dataSize)} of data`);
    const version = typeof info.version === 'string' ? ` ${info.version}` : '';
    const noted = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    return {
      ...base,
      status: 'ok',
      latencyMs,
      detail: `MongoDB${version} at ${mongoHosts(url)}, database "${db.databaseName}": ${parts.join(', ')}${noted}${topology}`,
    };
  } catch (err) {
    return downHealth(base, mapMongoError(err, { url, action: 'check MongoDB health' }));
  }
}
