/**
 * The contracts of service orchestration (main/core/services/README.md). Every way of running a
 * service (native binaries, Docker, an external server, nothing at all for
 * embedded) is a ServiceProvider; the ServiceManager only talks to this seam,
 * so providers are interchangeable and testable on their own.
 */
import type { ServiceCredentials } from '../config/credentials.js';
import type { NovaConfig } from '../config/schema.js';

/** Defined with the credentials file (config/credentials.ts); providers receive it. */
export type { ServiceCredentials };

/** The three server-backed services the appliance can orchestrate. */
export type ServiceName = 'postgres' | 'redis' | 'mongo';

/** Every service name, in start order (relational store first, cache last). */
export const SERVICE_NAMES: readonly ServiceName[] = ['postgres', 'mongo', 'redis'];

/**
 * Lifecycle of one service. `degraded` means "was healthy, now misbehaving,
 * recovery in progress"; `failed` means "gave up, a person must act".
 */
export type ServiceState = 'stopped' | 'starting' | 'healthy' | 'degraded' | 'stopping' | 'failed';

/** How a service is provided. */
export type ProviderKind = 'native' | 'docker' | 'external' | 'embedded';

/** A point-in-time view of one service, safe to show to people and to log. */
export interface ServiceStatus {
  service: ServiceName;
  provider: ProviderKind;
  state: ServiceState;
  /** Connection URL with the password redacted (display only — never the secret form). */
  url?: string;
  port?: number;
  /** PID of the server process when we run it ourselves. */
  pid?: number;
  /** Why the service is in this state (always set for `failed` and `degraded`). */
  reason?: string;
  /** What a person can do about it, when we know. */
  fix?: string;
  /** When the service entered `state`. */
  since: Date;
}

/**
 * Where a started service can be reached. `url` carries credentials and is a
 * SECRET: hand it to the data layer, never log or display it (use
 * ServiceStatus.url for display).
 */
export interface ServiceEndpoint {
  service: ServiceName;
  /** Full connection URL including credentials (secret). */
  url: string;
  host: string;
  port: number;
}

/**
 * One way of running services. Implementations must be idempotent: `start`
 * on a running service returns its endpoint (adopting a server left behind by
 * a previous run where possible), `stop` on a stopped service resolves.
 * Failures are thrown as NovaError with a stable code and a `fix`.
 */
export interface ServiceProvider {
  readonly kind: ProviderKind;
  /** Brings the service up (or adopts it) and resolves once it answers its protocol handshake. */
  start(service: ServiceName): Promise<ServiceEndpoint>;
  /** Stops the service and waits until its process has exited. Resolves if already stopped. */
  stop(service: ServiceName): Promise<void>;
  /** Current status; never throws for an ordinary "not running" — reports it in the status. */
  status(service: ServiceName): Promise<ServiceStatus>;
  /** The last `lines` lines of the service's own log, oldest first, when the provider has one. */
  logs?(service: ServiceName, lines: number): Promise<string[]>;
}

/** Everything a provider factory is given; providers keep their files under `dataDir/services/`. */
export interface ProviderContext {
  /** The app data dir (already created and proven writable). */
  dataDir: string;
  config: NovaConfig;
  credentials: ServiceCredentials;
}

/** How the ServiceManager builds a provider. */
export type ProviderFactory = (ctx: ProviderContext) => ServiceProvider;

/**
 * What the Docker module reports about the machine. Module convention:
 * `main/core/services/docker/index.ts` exports
 * `detectDocker(): Promise<DockerDetection>` and `createDockerProvider: ProviderFactory`.
 */
export interface DockerDetection {
  /** `docker` client version, or null when the CLI is not installed. */
  client: string | null;
  /** Whether the engine answers (`docker info`). */
  engine: 'running' | 'not-running' | 'absent';
  /** Which Compose is usable: the `docker compose` plugin (v2), `docker-compose` (v1), or none. */
  compose: 'v2' | 'v1' | null;
  versions: { client?: string; server?: string; compose?: string };
  /** Why the engine or compose is unusable, when known (e.g. "permission denied on /var/run/docker.sock"). */
  reason?: string;
}

/**
 * Connection URLs that override the configuration, e.g. the endpoints of
 * services the orchestrator started (native/docker profiles).
 */
export interface Endpoints {
  postgres?: string;
  mongo?: string;
  redis?: string;
}
