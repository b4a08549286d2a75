/**
 * The external profile (docs/ARCHITECTURE.md#profiles): someone else runs the server; we only
 * check that the configured URL really leads to a server of the right kind
 * (same handshake as detection) before the data layer relies on it, so a
 * typo'd port fails at start with "port 5433 open but not a PostgreSQL
 * server" instead of a driver timeout later.
 */
import { resolveSrv } from 'node:dns/promises';
import { NovaError } from '../errors.js';
import type { NovaConfig } from '../config/schema.js';
import { redactSecrets } from '../config/redact.js';
import { parsePostgresUrl } from '../config/postgres-url.js';
import { DEFAULT_PORTS, SERVICE_LABEL, probeService, type ProbeResult } from './handshake.js';
import type { ServiceEndpoint, ServiceName, ServiceProvider, ServiceStatus } from './types.js';

const URL_KEY: Record<ServiceName, 'POSTGRES_URL' | 'REDIS_URL' | 'MONGODB_URL'> = {
  postgres: 'POSTGRES_URL',
  redis: 'REDIS_URL',
  mongo: 'MONGODB_URL',
};

interface Target {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  password?: string;
}

/** Every host a replicated deployment names, each checked in turn (a standby or a sentinel will do). */
async function resolveTargets(
  service: ServiceName,
  url: string | undefined,
  config: NovaConfig,
): Promise<Target[]> {
  if (service === 'redis' && (config.REDIS_SENTINELS || config.REDIS_CLUSTER_NODES)) {
    const sentinel = Boolean(config.REDIS_SENTINELS);
    const list = (config.REDIS_SENTINELS ?? config.REDIS_CLUSTER_NODES)!;
    const password = sentinel ? config.REDIS_SENTINEL_PASSWORD : config.REDIS_PASSWORD;
    const nodes = list.split(',').map((item) => {
      const colon = item.trim().lastIndexOf(':');
      return {
        host: item
          .trim()
          .slice(0, colon)
          .replace(/^\[(.*)\]$/, '$1'),
        port: Number(item.trim().slice(colon + 1)),
      };
    });
    // What `status` shows: the kind of deployment and its nodes (the cache reads the settings themselves).
    const label = `redis+${sentinel ? 'sentinel' : 'cluster'}://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}${sentinel ? `/${config.REDIS_SENTINEL_NAME}` : ''}`;
    return nodes.map((n) => ({
      url: label,
      host: n.host,
      port: n.port,
      tls: config.REDIS_TLS,
      ...(password ? { password } : {}),
    }));
  }
  if (service === 'postgres' && url && /^postgres(ql)?:\/\//i.test(url)) {
    let hosts;
    try {
      hosts = parsePostgresUrl(url).hosts;
    } catch (err) {
      throw new NovaError('CONFIG_INVALID', `${URL_KEY[service]} is not a valid URL.`, {
        fix:
          (err as NovaError).fix ?? `Set ${URL_KEY[service]} to a URL such as ${example(service)}.`,
      });
    }
    if (hosts.length > 1)
      return hosts.map((h) => ({ url, host: h.host, port: h.port, tls: false }));
  }
  return [await resolveTarget(service, requireSet(service, url))];
}

function requireSet(service: ServiceName, url: string | undefined): string {
  if (url) return url;
  throw new NovaError(
    'CONFIG_INVALID',
    `${SERVICE_LABEL[service]} uses the external profile but ${URL_KEY[service]} is not set.`,
    {
      fix: `Set ${URL_KEY[service]} (e.g. ${example(service)}) or choose another profile for ${SERVICE_LABEL[service]}.`,
    },
  );
}

/** Host, port and TLS of a connection URL; mongodb+srv is resolved through DNS like the driver does. */
export async function resolveTarget(service: ServiceName, url: string): Promise<Target> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NovaError('CONFIG_INVALID', `${URL_KEY[service]} is not a valid URL.`, {
      fix: `Set ${URL_KEY[service]} to a URL such as ${example(service)}.`,
    });
  }
  // IPv6 literals come back bracketed from URL.hostname.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const tlsParam =
    (u.searchParams.get('tls') ?? u.searchParams.get('ssl'))?.toLowerCase() === 'true';
  if (u.protocol === 'mongodb+srv:') {
    const records = await resolveSrv(`_mongodb._tcp.${host}`).catch((err: unknown) => {
      throw new NovaError(
        'CONN_REFUSED',
        `The DNS SRV record _mongodb._tcp.${host} from MONGODB_URL cannot be resolved.`,
        {
          fix: 'Check the host name in MONGODB_URL and that this machine can reach a DNS server.',
          cause: err,
        },
      );
    });
    const first = records[0];
    if (!first)
      throw new NovaError(
        'CONN_REFUSED',
        `The DNS SRV record _mongodb._tcp.${host} lists no servers.`,
        { fix: 'Check MONGODB_URL.' },
      );
    return {
      url,
      host: first.name,
      port: first.port,
      tls: u.searchParams.get('tls') !== 'false',
      ...(password ? { password } : {}),
    };
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[service];
  return {
    url,
    host,
    port,
    tls: u.protocol === 'rediss:' || (service === 'mongo' && tlsParam),
    ...(password ? { password } : {}),
  };
}

function example(service: ServiceName): string {
  return service === 'postgres'
    ? 'postgres://user:password@db.example.com:5432/nova'
    : service === 'redis'
      ? 'rediss://:password@cache.example.com:6380'
      : 'mongodb://user:password@docs.example.com:27017/nova?tls=true';
}

export class ExternalProvider implements ServiceProvider {
  readonly kind = 'external' as const;
  readonly #config: NovaConfig;
  readonly #timeoutMs: number;

  constructor(config: NovaConfig, options: { probeTimeoutMs?: number } = {}) {
    this.#config = config;
    this.#timeoutMs = options.probeTimeoutMs ?? 3000;
  }

  /** Probes the host (or, for a replicated deployment, each in turn until one answers as it should). */
  async #probe(service: ServiceName): Promise<{ target: Target; probe: ProbeResult }> {
    const targets = await resolveTargets(service, this.#config[URL_KEY[service]], this.#config);
    let first: { target: Target; probe: ProbeResult } | undefined;
    for (const target of targets) {
      const probe = await probeService(service, target.host, target.port, {
        timeoutMs: this.#timeoutMs,
        tls: target.tls,
        ...(service === 'redis' && target.password !== undefined
          ? { password: target.password }
          : {}),
      });
      if (probe.confirmed && !probe.authRequired) return { target, probe };
      first ??= { target, probe };
    }
    return first!;
  }

  async start(service: ServiceName): Promise<ServiceEndpoint> {
    const { target, probe } = await this.#probe(service);
    const where = `${target.host}:${target.port} (${URL_KEY[service]} ${redactSecrets(target.url)})`;
    if (!probe.open) {
      const timedOut = /timed out/.test(probe.detail);
      throw new NovaError(
        timedOut ? 'TIMEOUT' : 'CONN_REFUSED',
        `${SERVICE_LABEL[service]} at ${where} is not reachable: ${probe.detail}.`,
        {
          fix: `Check that the server is running and that host and port in ${URL_KEY[service]} are right; a firewall may be blocking the port.`,
        },
      );
    }
    if (!probe.confirmed) {
      throw new NovaError('SERVICE_UNAVAILABLE', `${where}: ${probe.detail}.`, {
        fix: `Point ${URL_KEY[service]} at the ${SERVICE_LABEL[service]} server's port.`,
      });
    }
    if (service === 'redis' && probe.authRequired) {
      throw new NovaError(
        'AUTH_FAILED',
        `Redis at ${where} ${target.password ? 'refused the password' : 'requires a password'}.`,
        {
          fix: 'Put the right password in REDIS_URL (redis://:PASSWORD@host:port).',
        },
      );
    }
    return { service, url: target.url, host: target.host, port: target.port };
  }

  /** Nothing to stop: we do not own external servers. */
  async stop(_service: ServiceName): Promise<void> {}

  async status(service: ServiceName): Promise<ServiceStatus> {
    const since = new Date();
    try {
      const { target, probe } = await this.#probe(service);
      const ok = probe.confirmed && !probe.authRequired;
      return {
        service,
        provider: 'external',
        // Unreachable or not the right server: nothing usable there right now.
        state: ok ? 'healthy' : 'failed',
        url: redactSecrets(target.url),
        port: target.port,
        ...(ok ? {} : { reason: probe.detail }),
        since,
      };
    } catch (err) {
      return {
        service,
        provider: 'external',
        state: 'failed',
        reason: err instanceof Error ? err.message : String(err),
        ...(err instanceof NovaError && err.fix ? { fix: err.fix } : {}),
        since,
      };
    }
  }
}
