/**
 * The native profile (docs/ARCHITECTURE.md#profiles): database servers run from the programs
 * installed on this machine, with their data under `<dataDir>/services/`,
 * on loopback ports of their own — never touching a PostgreSQL or Redis the
 * machine already runs on the default ports.
 */
import { NovaError } from '../../errors.js';
import { findBinaries, type BinaryReport } from '../binaries.js';
import { ServiceStateFile } from '../service-state-file.js';
import type {
  ServiceCredentials,
  ServiceEndpoint,
  ServiceName,
  ServiceProvider,
  ServiceStatus,
} from '../types.js';
import { MongoServer } from './mongo-server.js';
import type { NativeServer } from './native-server.js';
import { resolvePostgresOsUser, type OsUserOption } from './os-user.js';
import { PostgresServer } from './postgres-server.js';
import { RedisServer } from './redis-server.js';

export interface NativeProviderOptions {
  dataDir: string;
  credentials: ServiceCredentials;
  /** Directories to search for server programs, in order (default: PATH plus the usual install dirs). */
  searchDirs?: string[];
  /** Ports fixed by configuration; a taken fixed port is PORT_IN_USE instead of "pick another". */
  ports?: Partial<Record<ServiceName, number>>;
  /**
   * OS user that runs PostgreSQL. Default: `postgres` when Nova runs as root
   * (PostgreSQL refuses root), otherwise the current user. See os-user.ts.
   */
  postgresOsUser?: OsUserOption;
  /**
   * Servers keep running after this process exits (`nova-db up`); a later
   * process adopts them through state.json. PostgreSQL always does (pg_ctl
   * daemonizes it); this makes Redis and MongoDB, otherwise our children, do so too.
   */
  detached?: boolean;
}

export class NativeProvider implements ServiceProvider {
  readonly kind = 'native' as const;
  readonly stateFile: ServiceStateFile;
  readonly #o: NativeProviderOptions;
  #binaries: Promise<BinaryReport> | undefined;
  readonly #servers = new Map<ServiceName, Promise<NativeServer>>();

  constructor(options: NativeProviderOptions) {
    this.#o = options;
    this.stateFile = new ServiceStateFile(options.dataDir);
  }

  /** Programs found on this machine (searched once per provider). */
  binaries(): Promise<BinaryReport> {
    this.#binaries ??= findBinaries(this.#o.searchDirs ? { searchDirs: this.#o.searchDirs } : {});
    return this.#binaries;
  }

  /** The object managing one server (created on first use). */
  server(service: ServiceName): Promise<NativeServer> {
    let server = this.#servers.get(service);
    if (!server) {
      server = this.#create(service);
      // A failed creation (bad OS user…) should be retried next time, not cached.
      server.catch(() => this.#servers.delete(service));
      this.#servers.set(service, server);
    }
    return server;
  }

  async #create(service: ServiceName): Promise<NativeServer> {
    const bins = await this.binaries();
    const common = {
      dataDir: this.#o.dataDir,
      stateFile: this.stateFile,
      port: this.#o.ports?.[service],
    };
    switch (service) {
      case 'postgres':
        return new PostgresServer({
          ...common,
          password: this.#o.credentials.postgresPassword,
          initdb: bins.initdb,
          pgCtl: bins.pg_ctl,
          osUser: await resolvePostgresOsUser(this.#o.postgresOsUser),
        });
      case 'redis':
        return new RedisServer({
          ...common,
          password: this.#o.credentials.redisPassword,
          binary: bins['redis-server'],
          detached: this.#o.detached === true,
        });
      case 'mongo':
        return new MongoServer({
          ...common,
          password: this.#o.credentials.mongoPassword,
          binary: bins.mongod,
          detached: this.#o.detached === true,
        });
      default:
        throw new NovaError('INVALID_ARGUMENT', `Unknown service "${String(service)}".`, {
          fix: 'Use postgres, redis or mongo.',
        });
    }
  }

  async start(service: ServiceName): Promise<ServiceEndpoint> {
    return (await this.server(service)).start();
  }

  async stop(service: ServiceName): Promise<void> {
    await (await this.server(service)).stop();
  }

  async status(service: ServiceName): Promise<ServiceStatus> {
    return (await this.server(service)).status();
  }

  async logs(service: ServiceName, lines: number): Promise<string[]> {
    return (await this.server(service)).logs(lines);
  }
}
