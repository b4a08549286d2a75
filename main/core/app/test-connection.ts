/**
 * "Test connection" in the setup wizard: for an external server, a real
 * connection with the driver the data layer uses (so a wrong password is
 * AUTH_FAILED, not "port open"); for the other profiles, whether what they
 * need is on this machine. Never throws for an ordinary failure — the
 * answer says what is wrong and what to do.
 */
import type { z } from 'zod';
import type { testConnectionInput, testConnectionResult } from '../../../shared-contract/index.js';
import type { NovaConfig } from '../config/schema.js';
import { toErrorData } from '../errors.js';
import { findBinaries } from '../services/binaries.js';
import { loadDockerModule } from '../services/docker-module.js';
import type { ServiceHealth } from '../stores/types.js';

type Input = z.output<typeof testConnectionInput>;
type Result = z.output<typeof testConnectionResult>;

const LABEL = { postgres: 'PostgreSQL', mongo: 'MongoDB', redis: 'Redis' } as const;

export async function testConnection(config: NovaConfig, input: Input): Promise<Result> {
  try {
    switch (input.profile) {
      case 'external':
        return await testExternal(config, input.service, input.url!);
      case 'native':
        return await testNative(input.service);
      case 'docker':
        return await testDocker();
      case 'embedded':
        return {
          ok: true,
          latencyMs: null,
          detail:
            input.service === 'postgres'
              ? 'Embedded: relational data is kept in SQLite inside the data directory.'
              : input.service === 'mongo'
                ? 'Embedded: documents are kept next to the relational data (SQLite JSON or PostgreSQL JSONB).'
                : 'Embedded: an in-process cache; nothing to connect to.',
        };
    }
  } catch (err) {
    const e = toErrorData(err);
    return { ok: false, latencyMs: null, detail: e.message, ...(e.fix ? { fix: e.fix } : {}) };
  }
}

async function testExternal(
  config: NovaConfig,
  service: Input['service'],
  url: string,
): Promise<Result> {
  let health: ServiceHealth;
  if (service === 'postgres') {
    const { PostgresStore } = await import('../stores/postgres/postgres-store.js');
    const store = await PostgresStore.open({
      url,
      poolMax: 1,
      connectTimeoutMs: config.POSTGRES_CONNECT_TIMEOUT_MS,
      ...(config.POSTGRES_SSL !== 'disable' ? { ssl: config.POSTGRES_SSL } : {}),
      ...(config.POSTGRES_SSL_CA ? { sslCaFile: config.POSTGRES_SSL_CA } : {}),
    });
    try {
      health = await store.health();
    } finally {
      await store.close();
    }
  } else if (service === 'redis') {
    const { RedisCache } = await import('../stores/redis/redis-cache.js');
    const cache = await RedisCache.connect({
      url,
      connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    });
    try {
      health = await cache.health();
    } finally {
      await cache.close();
    }
  } else {
    const { MongoDocumentStore } = await import('../stores/mongo/mongo-document-store.js');
    const store = await MongoDocumentStore.connect({
      url,
      dbName: config.MONGODB_DB,
      poolMax: 1,
      connectTimeoutMs: config.MONGODB_CONNECT_TIMEOUT_MS,
      tls: config.MONGODB_TLS,
    });
    try {
      health = await store.health();
    } finally {
      await store.close();
    }
  }
  return {
    ok: health.status === 'ok',
    latencyMs: health.latencyMs,
    detail: `${LABEL[service]}: ${health.detail}`,
    ...(health.fix ? { fix: health.fix } : {}),
  };
}

async function testNative(service: Input['service']): Promise<Result> {
  const found = await findBinaries();
  const needs =
    service === 'postgres'
      ? (['initdb', 'pg_ctl', 'postgres'] as const)
      : service === 'redis'
        ? (['redis-server'] as const)
        : (['mongod'] as const);
  const missing = needs.filter((n) => !found[n]);
  if (missing.length === 0) {
    const first = found[needs[0]]!;
    return {
      ok: true,
      latencyMs: null,
      detail: `${LABEL[service]} can run here: ${first.path}${first.version ? ` (version ${first.version})` : ''}.`,
    };
  }
  if (service === 'mongo') {
    return {
      ok: true,
      latencyMs: null,
      detail: 'mongod is not installed: documents will be stored in PostgreSQL (JSONB) instead.',
      fix: 'Install MongoDB (mongod) if you want a separate document server.',
    };
  }
  return {
    ok: false,
    latencyMs: null,
    detail: `${LABEL[service]} cannot run natively: ${missing.join(', ')} not found.`,
    fix:
      service === 'postgres'
        ? 'Install PostgreSQL (e.g. apt-get install postgresql), or choose the docker, external or embedded profile.'
        : 'Install Redis (e.g. apt-get install redis-server), or choose the docker, external or embedded profile.',
  };
}

async function testDocker(): Promise<Result> {
  const load = await loadDockerModule();
  if (!load.module)
    return { ok: false, latencyMs: null, detail: `Docker cannot be used: ${load.reason}.` };
  const docker = await load.module.detectDocker();
  if (docker.engine === 'running' && docker.compose) {
    return {
      ok: true,
      latencyMs: null,
      detail:
        `Docker ${docker.versions.server ?? ''} with Compose ${docker.compose} is running.`.replace(
          '  ',
          ' ',
        ),
    };
  }
  return {
    ok: false,
    latencyMs: null,
    detail:
      docker.engine !== 'running'
        ? `The Docker engine is ${docker.engine === 'absent' ? 'not installed' : 'not running'}${docker.reason ? ` (${docker.reason})` : ''}.`
        : 'Docker Compose is not installed.',
    fix:
      docker.engine !== 'running'
        ? 'Start Docker (or install it), or choose another profile.'
        : 'Install the Docker Compose plugin, or choose another profile.',
  };
}
