/**
 * Where the data layer of a CLI process (`nova-db serve`, `migrate`…)
 * connects when a service runs natively or in Docker: the servers
 * `nova-db up` left running are adopted (found through
 * `<dataDir>/services/state.json` and pid files, or `docker compose ps`,
 * and confirmed by a handshake); the ones not running are started — or,
 * in `adopt` mode, reported with "run nova-db up". No separate endpoint
 * file: the URLs are rebuilt from state.json's ports and credentials.json,
 * which the providers already keep.
 *
 * Usage (serve):
 *   const services = await resolveServiceEndpoints({ config, logger });
 *   const backends = await openBackends(services.config, services.endpoints);
 *   … on shutdown, after closing the data layer: await services.release();
 */
import type { ServiceCredentials } from '../config/credentials.js';
import type { NovaConfig } from '../config/schema.js';
import { serviceProfiles } from '../config/schema.js';
import { NovaError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Endpoints } from './types.js';
import { SERVICE_LABEL } from './handshake.js';
import { inspectService, isRunningState } from './service-control.js';
import { ServiceManager, type ServiceManagerOptions } from './service-manager.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export interface ResolveEndpointsOptions {
  config: NovaConfig;
  /** Default: config.NOVA_DATA_DIR. */
  dataDir?: string;
  /**
   * `start` (default): adopt running services and start the others.
   * `adopt`: only use services already running; a stopped one is
   * SERVICE_UNAVAILABLE with the fix "run nova-db up".
   */
  mode?: 'start' | 'adopt';
  logger?: Pick<Logger, 'info' | 'warn'>;
  credentials?: ServiceCredentials;
  /** Supervision of native servers while this process runs (default on); false disables it. */
  supervisor?: ServiceManagerOptions['supervisor'];
  /** Native provider options (tests pin search dirs or ports; config keys apply otherwise). */
  native?: ServiceManagerOptions['native'];
}

export interface ResolvedServices {
  /** For `openBackends(config, endpoints)`. SECRET: the URLs carry passwords. */
  endpoints: Endpoints;
  /**
   * The configuration to open the data layer with: the input, except that
   * native MongoDB without mongod becomes embedded documents (PostgreSQL
   * JSONB), which openBackends then selects.
   */
  config: NovaConfig;
  /** The manager behind the services, or null when every service is embedded. */
  manager: ServiceManager | null;
  /** Services this call started; release() stops them. */
  started: ServiceName[];
  /** Services that were already running (or are external); release() leaves them running. */
  adopted: ServiceName[];
  /** Stops what this call started and ends supervision; adopted and external servers keep running. Idempotent. */
  release(): Promise<void>;
}

const nothingToRelease = (): Promise<void> => Promise.resolve();

export async function resolveServiceEndpoints(
  options: ResolveEndpointsOptions,
): Promise<ResolvedServices> {
  const { config } = options;
  const profiles = serviceProfiles(config);
  const servers = SERVICE_NAMES.filter((s) => profiles[s] !== 'embedded');
  if (servers.length === 0) {
    return {
      endpoints: {},
      config,
      manager: null,
      started: [],
      adopted: [],
      release: nothingToRelease,
    };
  }

  const manager = await ServiceManager.create({
    config,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.supervisor !== undefined ? { supervisor: options.supervisor } : {}),
    // Detached: a server this process starts and a server restarted by the
    // supervisor behave alike — they stop when release() says so, not
    // because this process exited; a hard crash leaves them for adoption.
    native: { ...options.native, detached: true },
  });

  const adopted: ServiceName[] = [];
  const toStart: ServiceName[] = [];
  const notRunning: ServiceName[] = [];
  for (const report of await Promise.all(servers.map((s) => inspectService(manager, s)))) {
    if (profiles[report.service] === 'external' || isRunningState(report.state))
      adopted.push(report.service);
    else if (options.mode === 'adopt') notRunning.push(report.service);
    else toStart.push(report.service);
  }
  if (notRunning.length > 0) {
    manager.supervisor?.close();
    const names = notRunning.map((s) => `${SERVICE_LABEL[s]} (${profiles[s]})`).join(', ');
    throw new NovaError(
      'SERVICE_UNAVAILABLE',
      `${names} ${notRunning.length === 1 ? 'is' : 'are'} not running.`,
      {
        fix: `Start ${notRunning.length === 1 ? 'it' : 'them'} with "nova-db up" (same --data-dir), then try again.`,
      },
    );
  }

  const started: ServiceName[] = [];
  const release = once(async () => {
    // Reverse start order; adopted services only leave supervision.
    for (const service of [...SERVICE_NAMES].reverse()) {
      if (started.includes(service)) await manager.stop(service).catch(() => undefined);
      else await manager.supervisor?.release(service);
    }
    manager.supervisor?.close();
  });

  const results = await Promise.allSettled(
    servers.map(async (service) => {
      const endpoint = await manager.start(service);
      if (toStart.includes(service)) {
        started.push(service);
        options.logger?.info(`started ${SERVICE_LABEL[service]} (${profiles[service]})`);
      }
      return { service, endpoint };
    }),
  );
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) {
    await release();
    throw failure.reason;
  }

  const endpoints: Endpoints = {};
  let effective = config;
  for (const r of results) {
    if (r.status !== 'fulfilled') continue;
    const { service, endpoint } = r.value;
    if (endpoint) endpoints[service] = endpoint.url;
    else if (service === 'mongo' && profiles.mongo === 'native') {
      // ServiceManager found no mongod: documents go to the relational store.
      effective = { ...effective, NOVA_MONGO_PROFILE: 'embedded' };
      options.logger?.warn(
        'mongod is not installed; documents are stored in PostgreSQL (JSONB) instead of MongoDB',
      );
    }
  }
  return { endpoints, config: effective, manager, started, adopted, release };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let run: Promise<void> | undefined;
  return () => (run ??= fn());
}
