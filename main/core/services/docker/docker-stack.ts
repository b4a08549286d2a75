/**
 * What nova-db's compose stack looks like from the outside: host ports, the
 * variables the compose files read, and the URLs that reach each service.
 * Kept apart from the provider so the compose files' contract (the variable
 * names in their headers) lives in one place.
 */
import { NovaError } from '../../errors.js';
import { SERVICE_NAMES, type ProviderContext, type ServiceName } from '../types.js';

/** Host ports used when none are configured: one above the usual ones, so a local server is left alone. */
export const DEFAULT_DOCKER_PORTS: Readonly<Record<ServiceName, number>> = {
  postgres: 5433,
  mongo: 27018,
  redis: 6380,
};

/** The database user the compose files create (POSTGRES_USER / MONGO_USER). */
export const DOCKER_DB_USER = 'nova';

/** The PostgreSQL database the compose files create (POSTGRES_DB). */
export const DOCKER_PG_DATABASE = 'nova';

/** The port each server listens on inside its container. */
export const CONTAINER_PORTS: Readonly<Record<ServiceName, number>> = {
  postgres: 5432,
  mongo: 27017,
  redis: 6379,
};

/** The compose-file variable that chooses each host port. */
export const PORT_VARIABLES: Readonly<Record<ServiceName, string>> = {
  postgres: 'NOVA_PG_PORT',
  mongo: 'NOVA_MONGO_PORT',
  redis: 'NOVA_REDIS_PORT',
};

/** Names people read in messages. */
export const SERVICE_LABELS: Readonly<Record<ServiceName, string>> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

/** Every host port with defaults filled in; INVALID_ARGUMENT for one that is not a TCP port. */
export function stackPorts(
  ports: Partial<Record<ServiceName, number>> = {},
): Record<ServiceName, number> {
  const all = { ...DEFAULT_DOCKER_PORTS, ...ports };
  for (const s of SERVICE_NAMES) {
    const p = all[s];
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The Docker host port for ${SERVICE_LABELS[s]} (${String(p)}) is not a TCP port.`,
        { fix: `Choose a port from 1 to 65535 for ${PORT_VARIABLES[s]}.` },
      );
    }
  }
  return all;
}

/**
 * The interpolation variables of docker-compose.yml / docker-compose.prod.yml
 * (see their headers): credentials, names and ports. The only place the
 * secrets go — the environment of the compose process, never its argv.
 */
export function composeEnvironment(
  ctx: ProviderContext,
  ports: Readonly<Record<ServiceName, number>>,
): Record<string, string> {
  const { credentials, config } = ctx;
  return {
    POSTGRES_USER: DOCKER_DB_USER,
    POSTGRES_PASSWORD: credentials.postgresPassword,
    POSTGRES_DB: DOCKER_PG_DATABASE,
    MONGO_USER: DOCKER_DB_USER,
    MONGO_PASSWORD: credentials.mongoPassword,
    MONGODB_DB: config.MONGODB_DB,
    REDIS_PASSWORD: credentials.redisPassword,
    [PORT_VARIABLES.postgres]: String(ports.postgres),
    [PORT_VARIABLES.mongo]: String(ports.mongo),
    [PORT_VARIABLES.redis]: String(ports.redis),
  };
}

/** Connection URL with credentials (a secret: hand it to the data layer only). */
export function connectionUrl(ctx: ProviderContext, service: ServiceName, port: number): string {
  const { credentials, config } = ctx;
  const enc = encodeURIComponent;
  switch (service) {
    case 'postgres':
      return `postgresql://${DOCKER_DB_USER}:${enc(credentials.postgresPassword)}@127.0.0.1:${port}/${DOCKER_PG_DATABASE}`;
    case 'mongo':
      return `mongodb://${DOCKER_DB_USER}:${enc(credentials.mongoPassword)}@127.0.0.1:${port}/${enc(config.MONGODB_DB)}?authSource=admin`;
    case 'redis':
      return `redis://default:${enc(credentials.redisPassword)}@127.0.0.1:${port}`;
  }
}
