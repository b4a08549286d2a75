/**
 * One interface every engine's backup part implements (SQLite, PostgreSQL,
 * MongoDB): write the part, stage a restore of it, and prove it restorable
 * in a throwaway copy. Backup, restore and verify go through BACKUP_PARTS,
 * so a new engine is one module here plus its entry — and the compiler
 * names every piece that entry still lacks.
 */
import type { ManifestPart } from '../manifest.js';
import type { MongoBackupTarget } from './mongo-part.js';
import type { PartJobOptions, StagedRestore } from '../part-types.js';
import type { PostgresBackupTarget } from '../postgres-connect.js';
import type { SqliteTarget } from './sqlite-part.js';

export type PartService = ManifestPart['service'];

/** The target each engine's part reads from and restores into. */
export interface PartTargets {
  sqlite: SqliteTarget;
  postgres: PostgresBackupTarget;
  mongo: MongoBackupTarget;
}

/** One part's file inside a written backup, as a restore reads it. */
export interface PartInBackup {
  backupPath: string;
  part: ManifestPart;
  /** Private scratch folder for decrypted and decompressed copies. */
  workDir: string;
  /** "the backup <name>", for messages. */
  where: string;
}

/** Settings a part may need besides its target. */
export interface PartSettings {
  /** PostgreSQL: pg_dump when a new enough one is installed ('auto'), always, or the built-in export. */
  postgresMethod?: 'auto' | 'pg_dump' | 'driver';
  /** PostgreSQL: extra folders to look for pg_dump / pg_restore / psql in. */
  pgToolDirs?: string[];
}

export interface BackupPart<Target> {
  readonly service: PartService;
  /** Writes the service's data into the backup folder `dir`; returns its manifest entry. */
  backup(
    target: Target,
    dir: string,
    job: PartJobOptions,
    settings: PartSettings,
  ): Promise<ManifestPart>;
  /** Everything slow and fallible of restoring into `target`; the live data is untouched until commit. */
  stageRestore(
    target: Target,
    from: PartInBackup,
    job: PartJobOptions,
    settings: PartSettings,
  ): Promise<StagedRestore>;
  /**
   * Restores into a throwaway copy and proves it matches the manifest.
   * `server` is where scratch databases may be made; without one a part that
   * needs it answers why it was skipped instead.
   */
  trialRestore(
    server: Target | undefined,
    from: PartInBackup,
    job: PartJobOptions,
    settings: PartSettings,
  ): Promise<{ skipped: string } | null>;
}

/** The order a backup writes its parts in. */
export const PART_ORDER = ['sqlite', 'postgres', 'mongo'] as const satisfies readonly PartService[];
// A service left out of the order would silently never be backed up: make that a compile error.
const _everyServiceOrdered: Exclude<PartService, (typeof PART_ORDER)[number]> extends never
  ? true
  : never = true;

type PartLoaders = { [S in PartService]: () => Promise<BackupPart<PartTargets[S]>> };

/** Loaded on demand: the embedded profile never needs pg or mongodb. */
export const BACKUP_PARTS: PartLoaders = {
  sqlite: async () => (await import('./sqlite.js')).sqlitePart,
  postgres: async () => (await import('./postgres.js')).postgresPart,
  mongo: async () => (await import('./mongo.js')).mongoPart,
};

/** The part of `service`, typed for its own target. */
export function backupPart<S extends PartService>(service: S): Promise<BackupPart<PartTargets[S]>> {
  return BACKUP_PARTS[service]();
}
