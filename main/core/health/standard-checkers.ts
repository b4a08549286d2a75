/**
 * The checkers of a running appliance, built from the data layer's live
 * backends: one per store (chosen by backend), free disk, and — when their
 * sources are given — backups and the orchestrated services.
 */
import { NovaError } from '../errors.js';
import type { Cache, DocumentStore, RelationalStore } from '../stores/types.js';
import {
  backupChecker,
  type BackupCheckerOptions,
  type LastBackupSource,
} from './checkers/backup-checker.js';
import { cacheChecker } from './checkers/cache-checker.js';
import { diskChecker, type DiskThresholds } from './checkers/disk-checker.js';
import { documentsChecker, type DocumentsHealthSource } from './checkers/documents-checker.js';
import {
  postgresChecker,
  type PostgresCheckerOptions,
  type PostgresHealthSource,
} from './checkers/postgres-checker.js';
import { servicesChecker, type OrchestrationSource } from './checkers/services-checker.js';
import {
  sqliteChecker,
  type SqliteCheckerOptions,
  type SqliteHealthSource,
} from './checkers/sqlite-checker.js';
import type { HealthChecker } from './types.js';

/** The stores a health check reads; DatabaseFactory.backendsForHealth has this shape. */
export interface HealthBackends {
  relational: RelationalStore;
  documents: DocumentStore;
  cache: Cache;
}

export interface StandardCheckersOptions {
  /** The app data dir, whose disk is watched. */
  dataDir: string;
  disk?: Partial<DiskThresholds>;
  postgres?: PostgresCheckerOptions;
  sqlite?: SqliteCheckerOptions;
  /** Given by the backup module; without it there is no backup check. */
  lastBackup?: LastBackupSource;
  backup?: BackupCheckerOptions;
  /** The ServiceManager, when this process orchestrates services. */
  services?: OrchestrationSource;
}

/**
 * `backends` is read on every check, so a check after the data layer closed
 * reports "closed" instead of probing a stale handle. It must return the
 * backends now: their kinds decide which checkers to build.
 */
export function standardCheckers(
  backends: () => HealthBackends | undefined,
  options: StandardCheckersOptions,
): HealthChecker[] {
  const initial = backends();
  if (!initial) {
    throw new NovaError(
      'NOT_INITIALIZED',
      'Health checks cannot be built before the data layer is open.',
      {
        fix: 'Await DatabaseFactory.initialize() first.',
      },
    );
  }
  const checkers: HealthChecker[] = [];
  const relational = () => backends()?.relational;
  if (initial.relational.backend === 'postgres') {
    checkers.push(
      postgresChecker(() => relational() as PostgresHealthSource | undefined, options.postgres),
    );
  } else if (initial.relational.backend === 'sqlite') {
    checkers.push(
      sqliteChecker(() => relational() as SqliteHealthSource | undefined, options.sqlite),
    );
  } else {
    throw new NovaError(
      'INTERNAL',
      `No health check knows the relational backend "${initial.relational.backend}".`,
    );
  }
  checkers.push(
    documentsChecker(
      () => backends()?.documents as DocumentsHealthSource | undefined,
      initial.documents.backend,
    ),
    cacheChecker(() => backends()?.cache, initial.cache.backend),
    diskChecker(options.dataDir, options.disk),
  );
  if (options.lastBackup) checkers.push(backupChecker(options.lastBackup, options.backup));
  if (options.services) checkers.push(servicesChecker(options.services));
  return checkers;
}

/** The checkers for an initialised DatabaseFactory. */
export function checkersForFactory(
  factory: { readonly backendsForHealth: HealthBackends | undefined },
  options: StandardCheckersOptions,
): HealthChecker[] {
  return standardCheckers(() => factory.backendsForHealth, options);
}
