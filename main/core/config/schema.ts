/**
 * One zod schema over every setting (docs/ARCHITECTURE.md#configuration). Keys are the environment
 * variable names, so an error can name exactly the variable to fix, and the
 * same keys work in the environment, in `.env` and in the settings file.
 */
import { z } from 'zod';
import { postgresUrlProblem } from './postgres-url.js';

export const PROFILES = ['embedded', 'docker', 'native', 'external'] as const;
export type Profile = (typeof PROFILES)[number];

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const profile = z.enum(PROFILES);
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes' || v === 'on');
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** libpq's URI, also with several hosts (`postgres://h1:5432,h2:5432/db?target_session_attrs=read-write`), which WHATWG URL refuses. */
const postgresUrl = z.string().superRefine((v, ctx) => {
  const problem = postgresUrlProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** `host:port,host:port` (IPv6 in brackets): the nodes of a Redis Sentinel or Cluster deployment. */
const hostPortList = z
  .string()
  .refine(
    (v) =>
      v.split(',').every((item) => /^(\[[0-9a-fA-F:.]+\]|[^\s:,[\]]+):\d{1,5}$/.test(item.trim())),
    { message: 'must be host:port pairs separated by commas, e.g. 10.0.0.1:26379,10.0.0.2:26379' },
  );

export const configSchema = z
  .object({
    /** Where databases, settings, credentials, logs and backups live. */
    NOVA_DATA_DIR: z.string().min(1),
    /** Default profile for every service; each can be overridden below. */
    NOVA_PROFILE: profile.default('embedded'),
    NOVA_POSTGRES_PROFILE: profile.optional(),
    NOVA_MONGO_PROFILE: profile.optional(),
    NOVA_REDIS_PROFILE: profile.optional(),

    NOVA_HOST: z.string().min(1).default('127.0.0.1'),
    NOVA_PORT: port.default(4730),
    NOVA_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),

    SQLITE_FILE: z.string().min(1).optional(),
    SQLITE_BUSY_TIMEOUT_MS: nonNegativeInt.default(5000),
    NOVA_CACHE_MAX_ENTRIES: positiveInt.default(10_000),

    POSTGRES_URL: postgresUrl.optional(),
    POSTGRES_POOL_MAX: positiveInt.default(10),
    POSTGRES_IDLE_TIMEOUT_MS: nonNegativeInt.default(30_000),
    POSTGRES_CONNECT_TIMEOUT_MS: positiveInt.default(5_000),
    POSTGRES_STATEMENT_TIMEOUT_MS: nonNegativeInt.default(60_000),
    POSTGRES_SSL: z.enum(SSL_MODES).default('disable'),
    POSTGRES_SSL_CA: z.string().min(1).optional(),

    MONGODB_URL: url(['mongodb:', 'mongodb+srv:']).optional(),
    MONGODB_DB: z.string().min(1).default('nova'),
    MONGODB_POOL_MAX: positiveInt.default(10),
    MONGODB_CONNECT_TIMEOUT_MS: positiveInt.default(5_000),
    MONGODB_TLS: bool.default(false),
    MONGODB_TLS_CA: z.string().min(1).optional(),

    REDIS_URL: url(['redis:', 'rediss:']).optional(),
    REDIS_KEY_PREFIX: z.string().default('nova:'),
    REDIS_CONNECT_TIMEOUT_MS: positiveInt.default(5_000),
    REDIS_TLS_CA: z.string().min(1).optional(),
    /** Redis Sentinel: the sentinels to ask for the current master, and the master's name. */
    REDIS_SENTINELS: hostPortList.optional(),
    REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
    /** Password of the sentinels themselves (their requirepass), when they have one. */
    REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
    /** Redis Cluster: some (or all) of its nodes; the rest are discovered. */
    REDIS_CLUSTER_NODES: hostPortList.optional(),
    /** Sentinel/Cluster data nodes: ACL user, password and TLS (one node takes them from REDIS_URL). */
    REDIS_USERNAME: z.string().min(1).optional(),
    REDIS_PASSWORD: z.string().min(1).optional(),
    REDIS_TLS: bool.default(false),

    /**
     * Native profile: where to look for initdb/pg_ctl/postgres, redis-server
     * and mongod, separated like PATH. Default: PATH plus the usual install dirs.
     */
    NOVA_BIN_SEARCH_DIRS: z.string().min(1).optional(),
    /** Native profile: fixed loopback ports (a taken one is PORT_IN_USE); default: last port used, else a free one. */
    NOVA_NATIVE_POSTGRES_PORT: port.optional(),
    NOVA_NATIVE_MONGO_PORT: port.optional(),
    NOVA_NATIVE_REDIS_PORT: port.optional(),

    /** Where backups are written; relative to the data dir. Default: <data dir>/backups. */
    NOVA_BACKUP_DIR: z.string().min(1).optional(),
    /** Retention: the newest N backups are always kept. */
    NOVA_BACKUP_KEEP_LAST: nonNegativeInt.default(5),
    /** Retention: one backup per day for this many days. */
    NOVA_BACKUP_KEEP_DAILY: nonNegativeInt.default(7),
    /** Retention: one backup per week for this many weeks. */
    NOVA_BACKUP_KEEP_WEEKLY: nonNegativeInt.default(4),
    /** Hours between scheduled backups; 0 turns the schedule off. */
    NOVA_BACKUP_INTERVAL_HOURS: z.coerce.number().min(0).default(24),
    /** Hours between scheduled trial restores of the newest backup (proof it restores); 0 = off. */
    NOVA_RESTORE_TEST_INTERVAL_HOURS: z.coerce.number().min(0).default(168),
  })
  .superRefine((c, ctx) => {
    // An external service without a URL cannot work; say which variable is missing.
    const needsUrl: [keyof typeof c, keyof typeof c][] = [
      ['NOVA_POSTGRES_PROFILE', 'POSTGRES_URL'],
      ['NOVA_MONGO_PROFILE', 'MONGODB_URL'],
      ['NOVA_REDIS_PROFILE', 'REDIS_URL'],
    ];
    const redisTopology = Boolean(c.REDIS_SENTINELS || c.REDIS_CLUSTER_NODES);
    for (const [profileKey, urlKey] of needsUrl) {
      if (urlKey === 'REDIS_URL' && redisTopology) continue;
      if ((c[profileKey] ?? c.NOVA_PROFILE) === 'external' && !c[urlKey]) {
        ctx.addIssue({
          code: 'custom',
          path: [urlKey],
          message: `is required when ${profileKey === 'NOVA_POSTGRES_PROFILE' ? 'PostgreSQL' : profileKey === 'NOVA_MONGO_PROFILE' ? 'MongoDB' : 'Redis'} uses the external profile`,
        });
      }
    }
    if (c.REDIS_SENTINELS && c.REDIS_CLUSTER_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message:
          'cannot be combined with REDIS_SENTINELS: a Redis deployment is either Sentinel or Cluster',
      });
    }
    if (c.POSTGRES_SSL === 'verify-full' && !c.POSTGRES_SSL_CA) {
      ctx.addIssue({
        code: 'custom',
        path: ['POSTGRES_SSL_CA'],
        message: 'is required when POSTGRES_SSL=verify-full (path to the CA certificate)',
      });
    }
  });

export type NovaConfig = z.output<typeof configSchema>;
export type NovaConfigInput = z.input<typeof configSchema>;

/** Every key the schema knows, for `.env.example` checks and settings validation. */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof NovaConfig)[];

/** The profile each service actually uses. */
export function serviceProfiles(c: NovaConfig): {
  postgres: Profile;
  mongo: Profile;
  redis: Profile;
} {
  return {
    postgres: c.NOVA_POSTGRES_PROFILE ?? c.NOVA_PROFILE,
    mongo: c.NOVA_MONGO_PROFILE ?? c.NOVA_PROFILE,
    redis: c.NOVA_REDIS_PROFILE ?? c.NOVA_PROFILE,
  };
}
