/**
 * Picks and opens the backends the configuration selects (docs/ARCHITECTURE.md#profiles): each
 * service independently. Server drivers are imported lazily so the embedded
 * profile never loads pg, mongodb or ioredis.
 */
import { NovaError } from '../errors.js';
import { serviceProfiles, type NovaConfig } from '../config/schema.js';
import { resolveSqliteFile } from '../config/sqlite-path.js';
import { migrateSchema } from '../schema/migration-runner.js';
import type { Endpoints } from '../services/types.js';
import type { PostgresStore } from './postgres/postgres-store.js';
import type { SqliteRelationalStore } from './sqlite/relational-store.js';
import type { Cache, DocumentStore, RelationalStore } from './types.js';

export interface Backends {
  relational: RelationalStore;
  documents: DocumentStore;
  cache: Cache;
  /** True when documents live in their own server (MongoDB) that can be down while SQL works. */
  documentsRemote: boolean;
  /**
   * Where audit entries wait for delivery when it is not the relational
   * store: a legacy file opened as it is keeps the outbox in its companion
   * file (see openRelational).
   */
  outbox?: RelationalStore;
  /** The embedded database is a legacy file opened as it is (nothing of the product's is added to it). */
  legacyFile?: boolean;
  migrateSchema(): Promise<void>;
  close(): Promise<void>;
}

export async function openBackends(
  config: NovaConfig,
  endpoints: Endpoints = {},
): Promise<Backends> {
  const profiles = serviceProfiles(config);
  const opened: { close(): Promise<void> }[] = [];
  try {
    const relational = await openRelational(config, profiles.postgres, endpoints.postgres);
    opened.push(relational);
    const companion = await openLegacyCompanion(relational);
    if (companion) opened.push(companion);
    const { store: documents, remote } = await openDocuments(
      config,
      profiles.mongo,
      companion ?? relational,
      endpoints.mongo,
    );
    opened.push(documents);
    const cache = await openCache(config, profiles.redis, endpoints.redis);
    opened.push(cache);
    return {
      relational,
      documents,
      cache,
      documentsRemote: remote,
      ...(companion ? { outbox: companion, legacyFile: true } : {}),
      migrateSchema: async () => {
        // A legacy file is left as it is; its companion gets the product's schema.
        await migrateSchema(companion ?? relational);
      },
      // Documents and cache first: the SQLite document store shares the relational connection.
      close: async () => {
        for (const b of [cache, documents, companion, relational]) {
          await b?.close().catch(() => undefined);
        }
      },
    };
  } catch (err) {
    for (const b of opened.reverse()) await b.close().catch(() => undefined);
    throw err;
  }
}

/**
 * An existing legacy `log.sqlite` on the embedded profile is opened as it is:
 * the product's tables (schema migrations, audit outbox, documents) go into a
 * companion file next to it, `<name>.nova.sqlite`, so the legacy application
 * and the appliance can share the file without the product's schema forced
 * into it (docs/upgrading-nova-api.md, "Embedded: the legacy file as it is").
 */
async function openLegacyCompanion(
  relational: RelationalStore,
): Promise<SqliteRelationalStore | null> {
  if (relational.dialect !== 'sqlite') return null;
  const store = relational as SqliteRelationalStore;
  if (store.file === ':memory:') return null;
  const { isLegacySqliteFile } = await import('./sqlite/legacy-file.js');
  if (!isLegacySqliteFile(store.db)) return null;
  const { SqliteRelationalStore: Store } = await import('./sqlite/relational-store.js');
  return Store.open(companionFile(store.file), { busyTimeoutMs: 5_000 });
}

/** `/srv/nova/log.sqlite` → `/srv/nova/log.nova.sqlite`. */
export function companionFile(file: string): string {
  return /\.(sqlite3?|db)$/i.test(file)
    ? file.replace(/\.(sqlite3?|db)$/i, '.nova.$1')
    : `${file}.nova.sqlite`;
}

function requireUrl(
  value: string | undefined,
  variable: string,
  service: string,
  profile: string,
): string {
  if (value) return value;
  throw new NovaError(
    'CONFIG_INVALID',
    `${variable}: ${service} uses the ${profile} profile but no connection URL is known.`,
    {
      fix:
        profile === 'external'
          ? `Set ${variable} to the server's URL.`
          : `Start the ${profile} services first (nova-db up), or set ${variable}.`,
    },
  );
}

async function openRelational(
  config: NovaConfig,
  profile: string,
  endpoint: string | undefined,
): Promise<RelationalStore> {
  if (profile === 'embedded') {
    const { SqliteRelationalStore } = await import('./sqlite/relational-store.js');
    return SqliteRelationalStore.open(resolveSqliteFile(config), {
      busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    });
  }
  const { PostgresStore } = await import('./postgres/postgres-store.js');
  const { postgresOptionsFromConfig } = await import('./postgres/postgres-connection.js');
  const url = requireUrl(endpoint ?? config.POSTGRES_URL, 'POSTGRES_URL', 'PostgreSQL', profile);
  // The pool settings come from the config even when the URL is an endpoint
  // (native/docker), whose config has no POSTGRES_URL.
  return PostgresStore.open(postgresOptionsFromConfig({ ...config, POSTGRES_URL: url }));
}

async function openDocuments(
  config: NovaConfig,
  profile: string,
  relational: RelationalStore,
  endpoint: string | undefined,
): Promise<{ store: DocumentStore; remote: boolean }> {
  // "embedded" documents live beside the relational data: SQLite JSON on
  // SQLite, JSONB on PostgreSQL. The native profile falls back to the same
  // when no mongod runs (docs/ARCHITECTURE.md#profiles: a local mongod if installed, else PostgreSQL JSONB).
  const mongoUrl = endpoint ?? config.MONGODB_URL;
  if (profile === 'embedded' || (profile === 'native' && !mongoUrl)) {
    if (relational.dialect === 'sqlite') {
      const { SqliteDocumentStore } = await import('./sqlite/document-store.js');
      return { store: new SqliteDocumentStore(relational as SqliteRelationalStore), remote: false };
    }
    const { PostgresDocumentStore } = await import('./postgres/postgres-document-store.js');
    return { store: new PostgresDocumentStore(relational as PostgresStore), remote: false };
  }
  const { MongoDocumentStore } = await import('./mongo/mongo-document-store.js');
  const url = requireUrl(mongoUrl, 'MONGODB_URL', 'MongoDB', profile);
  const store = await MongoDocumentStore.connect({
    url,
    dbName: config.MONGODB_DB,
    poolMax: config.MONGODB_POOL_MAX,
    connectTimeoutMs: config.MONGODB_CONNECT_TIMEOUT_MS,
    tls: config.MONGODB_TLS,
    ...(config.MONGODB_TLS_CA ? { tlsCAFile: config.MONGODB_TLS_CA } : {}),
    // SQL keeps working while MongoDB is down; audit entries wait in the outbox.
    allowOffline: true,
  });
  return { store, remote: true };
}

async function openCache(
  config: NovaConfig,
  profile: string,
  endpoint: string | undefined,
): Promise<Cache> {
  if (profile === 'embedded') {
    const { MemoryCache } = await import('./memory-cache.js');
    return new MemoryCache({ maxEntries: config.NOVA_CACHE_MAX_ENTRIES });
  }
  const { RedisCache } = await import('./redis/redis-cache.js');
  const { redisTopologyFromConfig } = await import('./redis/redis-connection.js');
  // Sentinel and Cluster are external deployments; the other profiles run one server.
  const topology = profile === 'external' ? redisTopologyFromConfig(config) : undefined;
  const target = topology ?? {
    url: requireUrl(endpoint ?? config.REDIS_URL, 'REDIS_URL', 'Redis', profile),
  };
  return RedisCache.connect({
    ...target,
    keyPrefix: config.REDIS_KEY_PREFIX,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    ...(config.REDIS_TLS_CA ? { tlsCA: config.REDIS_TLS_CA } : {}),
    // The API keeps serving from the database while Redis is down (main/core/stores/README.md).
    allowOffline: true,
  });
}
