/**
 * What a backup covers, derived from the configuration (docs/ARCHITECTURE.md#profiles): the
 * relational store (SQLite file or PostgreSQL database) and, when documents
 * live in their own server, MongoDB. Documents on the embedded profile are
 * tables of the relational store, so they travel with it; the cache is
 * never backed up (it is rebuilt from the databases).
 */
import path from 'node:path';
import { NovaError } from '../errors.js';
import { serviceProfiles, type NovaConfig } from '../config/schema.js';
import { resolveSqliteFile } from '../config/sqlite-path.js';
import type { Endpoints } from '../services/types.js';
import type { MongoBackupTarget } from './parts/mongo-part.js';
import type { PostgresBackupTarget } from './postgres-connect.js';
import type { RetentionPolicy } from './retention.js';
import type { SqliteTarget } from './parts/sqlite-part.js';

/** The databases a backup reads from, or a restore writes into. */
export interface BackupTargets {
  sqlite?: SqliteTarget;
  postgres?: PostgresBackupTarget;
  mongo?: MongoBackupTarget;
}

export const DEFAULT_BACKUP_DIR_NAME = 'backups';

/** NOVA_BACKUP_DIR (relative to the data dir), else `<data dir>/backups`. */
export function resolveBackupDir(
  config: Pick<NovaConfig, 'NOVA_DATA_DIR' | 'NOVA_BACKUP_DIR'>,
): string {
  return path.resolve(config.NOVA_DATA_DIR, config.NOVA_BACKUP_DIR ?? DEFAULT_BACKUP_DIR_NAME);
}

export function retentionPolicyFromConfig(config: NovaConfig): RetentionPolicy {
  return {
    keepLast: config.NOVA_BACKUP_KEEP_LAST,
    keepDaily: config.NOVA_BACKUP_KEEP_DAILY,
    keepWeekly: config.NOVA_BACKUP_KEEP_WEEKLY,
  };
}

function needUrl(
  value: string | undefined,
  variable: string,
  service: string,
  profile: string,
): string {
  if (value) return value;
  throw new NovaError(
    'CONFIG_INVALID',
    `${variable}: ${service} uses the ${profile} profile but no connection URL is known, so it cannot be backed up or restored.`,
    {
      fix:
        profile === 'external'
          ? `Set ${variable} to the server's URL.`
          : `Start the services first (nova-db up), or set ${variable}.`,
    },
  );
}

/**
 * The targets the configuration selects; `endpoints` are URLs of services
 * the orchestrator started. `documentsInRelational` comes from the running
 * data layer: documents of the native profile without mongod live in
 * PostgreSQL (JSONB) and so travel in the PostgreSQL part
 * (coverage.ts); without it only the embedded profile is taken to mean that.
 */
export function backupTargetsFromConfig(
  config: NovaConfig,
  endpoints: Endpoints = {},
  options: { documentsInRelational?: boolean } = {},
): BackupTargets {
  const profiles = serviceProfiles(config);
  const targets: BackupTargets = {};
  if (profiles.postgres === 'embedded') {
    targets.sqlite = { file: resolveSqliteFile(config) };
  } else {
    targets.postgres = postgresTarget(
      config,
      needUrl(
        endpoints.postgres ?? config.POSTGRES_URL,
        'POSTGRES_URL',
        'PostgreSQL',
        profiles.postgres,
      ),
    );
  }
  const documentsInRelational = options.documentsInRelational ?? profiles.mongo === 'embedded';
  if (!documentsInRelational) {
    targets.mongo = mongoTarget(
      config,
      needUrl(endpoints.mongo ?? config.MONGODB_URL, 'MONGODB_URL', 'MongoDB', profiles.mongo),
    );
  }
  return targets;
}

/** The PostgreSQL at `url` with the configuration's TLS settings. */
export function postgresTarget(config: NovaConfig, url: string): PostgresBackupTarget {
  return {
    url,
    ssl: config.POSTGRES_SSL,
    ...(config.POSTGRES_SSL_CA ? { sslCaFile: config.POSTGRES_SSL_CA } : {}),
  };
}

/** The MongoDB at `url` with the configuration's database name and TLS settings. */
export function mongoTarget(config: NovaConfig, url: string): MongoBackupTarget {
  return {
    url,
    dbName: config.MONGODB_DB,
    tls: config.MONGODB_TLS,
    connectTimeoutMs: config.MONGODB_CONNECT_TIMEOUT_MS,
    ...(config.MONGODB_TLS_CA ? { tlsCAFile: config.MONGODB_TLS_CA } : {}),
  };
}

/** The databases a migration writes into (URLs it resolved), as backup targets. */
export function migrationBackupTargets(
  config: NovaConfig,
  targets: { postgresUrl?: string; mongoUrl?: string },
): BackupTargets {
  return {
    ...(targets.postgresUrl ? { postgres: postgresTarget(config, targets.postgresUrl) } : {}),
    ...(targets.mongoUrl ? { mongo: mongoTarget(config, targets.mongoUrl) } : {}),
  };
}
