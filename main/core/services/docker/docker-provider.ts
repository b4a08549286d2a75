/**
 * The Docker provider (main/core/services/README.md): runs PostgreSQL, MongoDB and Redis as the
 * Compose project `nova-db`. start = `up -d` then wait until the container's
 * health check passes (polling `ps`), stop = `stop`, status = `ps`, logs =
 * `logs`. Every command goes through an injectable CommandRunner, so the
 * logic here is tested by replaying outputs real docker printed.
 */
import { NovaError } from '../../errors.js';
import { redactSecrets } from '../../config/redact.js';
import { probeService } from '../handshake.js';
import {
  SERVICE_NAMES,
  type ProviderContext,
  type ServiceEndpoint,
  type ServiceName,
  type ServiceProvider,
  type ServiceState,
  type ServiceStatus,
} from '../types.js';
import {
  classifyDockerFailure,
  scrubSecrets,
  type DockerFailureKind,
  type PortOwner,
} from './classify-docker-error.js';
import {
  execaRunner,
  type CommandRunner,
  type CommandSpec,
  type CommandResult,
} from './command-runner.js';
import {
  checkLogLineCount,
  composeDown,
  composeLogs,
  composePs,
  composeStop,
  composeUp,
  type ComposeTarget,
} from './compose-commands.js';
import { findComposeFile, type ComposeStack } from './compose-files.js';
import {
  DockerUnavailableError,
  detectDocker,
  type DockerDetectionReport,
} from './detect-docker.js';
import {
  CONTAINER_PORTS,
  PORT_VARIABLES,
  SERVICE_LABELS as LABELS,
  composeEnvironment,
  connectionUrl,
  stackPorts,
} from './docker-stack.js';
import {
  assessContainer,
  parseComposePs,
  publishedPort,
  type ComposeContainer,
} from './parse-compose-ps.js';

export interface DockerProviderOptions {
  /** Runs docker commands (default: execa). Tests replay recorded outputs through it. */
  runner?: CommandRunner;
  /** Which compose file ships the stack (default 'prod'); ignored when `composeFile` is given. */
  stack?: ComposeStack;
  /** Absolute path of the compose file (a packaged app's resources directory). */
  composeFile?: string;
  /** Host ports on 127.0.0.1 (default DEFAULT_DOCKER_PORTS of ./docker-stack.ts). */
  ports?: Partial<Record<ServiceName, number>>;
  /** Compose service names, when a custom compose file names them differently. */
  composeServices?: Partial<Record<ServiceName, string>>;
  /** How long `start` waits for the health check to pass (default 180 s). */
  healthTimeoutMs?: number;
  /** Delay between two `ps` polls while waiting (default 1 s). */
  pollIntervalMs?: number;
  /** Budget for `up`, which may pull images (default 15 min). */
  upTimeoutMs?: number;
  /** Called with each service status change seen while starting (per-service progress). */
  onStatus?: (status: ServiceStatus) => void;
  /**
   * Confirms from the host that the published port speaks the service's
   * protocol (default: the wire-protocol probe of ../handshake.ts). The
   * container's own health check runs inside it; this proves the port
   * mapping works too.
   */
  handshake?: (endpoint: ServiceEndpoint) => Promise<boolean>;
  /** Detects Docker before the first command (default detectDocker with the same runner). */
  detect?: () => Promise<DockerDetectionReport>;
  /** Clock and sleep, injectable so waiting is tested without waiting. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A ServiceProvider backed by `docker compose`. */
export class DockerProvider implements ServiceProvider {
  readonly kind = 'docker' as const;

  private readonly runner: CommandRunner;
  private readonly composeFile: string;
  private readonly ports: Record<ServiceName, number>;
  private readonly composeServices: Record<ServiceName, string>;
  private readonly options: DockerProviderOptions;
  private readonly ctx: ProviderContext;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private ready: Promise<ComposeTarget> | null = null;
  /** Last state seen per service and when it began, so `since` means "entered this state". */
  private readonly seen = new Map<ServiceName, { state: ServiceState; since: Date }>();

  constructor(ctx: ProviderContext, options: DockerProviderOptions = {}) {
    this.ctx = ctx;
    this.options = options;
    this.runner = options.runner ?? execaRunner;
    this.composeFile = options.composeFile ?? findComposeFile(options.stack ?? 'prod');
    this.ports = stackPorts(options.ports);
    this.composeServices = {
      postgres: 'postgres',
      mongo: 'mongo',
      redis: 'redis',
      ...options.composeServices,
    };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Interpolation variables for the compose file: credentials, names and ports. Secrets live only here. */
  composeEnv(): Record<string, string> {
    return composeEnvironment(this.ctx, this.ports);
  }

  async start(service: ServiceName): Promise<ServiceEndpoint> {
    this.checkService(service);
    const target = await this.target();
    this.record(service, 'starting');
    const up = composeUp(target, [this.composeServices[service]]);
    const upResult = await this.runner({
      ...up,
      timeoutMs: this.options.upTimeoutMs ?? 15 * 60_000,
    });
    if (upResult.exitCode !== 0) {
      this.record(service, 'failed');
      throw this.failure(`Starting ${LABELS[service]} (docker compose up)`, up, upResult);
    }
    return this.waitUntilHealthy(service, target);
  }

  async stop(service: ServiceName): Promise<void> {
    this.checkService(service);
    try {
      const target = await this.target();
      this.record(service, 'stopping');
      const cmd = composeStop(target, [this.composeServices[service]]);
      const result = await this.runner(cmd);
      if (result.exitCode !== 0)
        throw this.failure(`Stopping ${LABELS[service]} (docker compose stop)`, cmd, result);
    } catch (err) {
      // Without Docker, or with its engine down, no container can be running:
      // the service is stopped. Anything else (permission denied…) is a real failure.
      const kind = failureKind(err);
      if (kind !== 'engine-down' && kind !== 'docker-missing') throw err;
    }
    this.record(service, 'stopped');
  }

  /** Stops and removes every container of the stack; the named volumes (the data) are kept. */
  async down(): Promise<void> {
    const target = await this.target();
    const cmd = composeDown(target);
    const result = await this.runner(cmd);
    if (result.exitCode !== 0)
      throw this.failure('Removing the nova-db containers (docker compose down)', cmd, result);
    for (const s of SERVICE_NAMES) this.record(s, 'stopped');
  }

  async status(service: ServiceName): Promise<ServiceStatus> {
    this.checkService(service);
    let target: ComposeTarget;
    try {
      target = await this.target();
    } catch (err) {
      return this.unavailableStatus(service, err);
    }
    const cmd = composePs(target, [this.composeServices[service]]);
    const result = await this.runner(cmd);
    if (result.exitCode !== 0) {
      return this.unavailableStatus(
        service,
        this.failure(`Reading the state of ${LABELS[service]}`, cmd, result),
      );
    }
    const container = this.pick(service, parseComposePs(result.stdout));
    return this.statusOf(service, container);
  }

  async logs(service: ServiceName, lines: number): Promise<string[]> {
    this.checkService(service);
    checkLogLineCount(lines);
    const target = await this.target();
    const cmd = composeLogs(target, this.composeServices[service], lines);
    const result = await this.runner(cmd);
    if (result.exitCode !== 0)
      throw this.failure(`Reading the log of ${LABELS[service]}`, cmd, result);
    return result.stdout
      .split(/\r?\n/)
      .filter((line, i, all) => !(line === '' && i === all.length - 1))
      .slice(-lines);
  }

  /** Polls `ps` until the container is healthy, fails, or the time is up. */
  private async waitUntilHealthy(
    service: ServiceName,
    target: ComposeTarget,
  ): Promise<ServiceEndpoint> {
    const deadline = this.now() + (this.options.healthTimeoutMs ?? 180_000);
    const interval = this.options.pollIntervalMs ?? 1000;
    let last: ServiceStatus | null = null;
    for (;;) {
      const cmd = composePs(target, [this.composeServices[service]]);
      const result = await this.runner(cmd);
      if (result.exitCode !== 0) {
        this.record(service, 'failed');
        throw this.failure(`Waiting for ${LABELS[service]} to become healthy`, cmd, result);
      }
      const container = this.pick(service, parseComposePs(result.stdout));
      let status = this.statusOf(service, container, 'starting');
      let endpoint: ServiceEndpoint | null = null;
      if (status.state === 'healthy' && container) {
        endpoint = this.endpoint(service, container);
        if (!(await this.answers(endpoint))) {
          // Healthy inside the container but not reachable from here (yet): keep waiting.
          status = {
            ...status,
            state: 'starting',
            reason: `${LABELS[service]}: its container is healthy but 127.0.0.1:${endpoint.port} does not answer as ${LABELS[service]} yet`,
            since: this.record(service, 'starting'),
          };
          endpoint = null;
        }
      }
      if (last === null || status.state !== last.state || status.reason !== last.reason) {
        this.options.onStatus?.(status);
      }
      last = status;
      if (endpoint) return endpoint;
      if (status.state === 'failed' || (status.state === 'stopped' && container)) {
        throw new NovaError(
          'SERVICE_UNAVAILABLE',
          `${LABELS[service]} did not start: ${status.reason ?? 'its container stopped'}.${await this.logTail(service)}`,
          { fix: status.fix ?? `Look at the server's log (${this.logHint(service)}).` },
        );
      }
      if (this.now() >= deadline) {
        this.record(service, 'failed');
        const seconds = Math.round((this.options.healthTimeoutMs ?? 180_000) / 1000);
        const where = container
          ? `it is still ${status.state}${status.reason ? ` (${status.reason})` : ''}`
          : 'no container appeared';
        throw new NovaError(
          'TIMEOUT',
          `${LABELS[service]} did not become healthy within ${seconds} s: ${where}.${await this.logTail(service)}`,
          {
            fix: `Look at the server's log (${this.logHint(service)}); a first start that pulls images or initialises a database can take longer — try again.`,
          },
        );
      }
      await this.sleep(interval);
    }
  }

  private async answers(endpoint: ServiceEndpoint): Promise<boolean> {
    if (this.options.handshake) return this.options.handshake(endpoint);
    const probe = await probeService(endpoint.service, endpoint.host, endpoint.port, {
      timeoutMs: 1500,
    });
    return probe.confirmed;
  }

  private endpoint(service: ServiceName, container: ComposeContainer): ServiceEndpoint {
    const port = publishedPort(container, CONTAINER_PORTS[service]) ?? this.ports[service];
    return { service, url: connectionUrl(this.ctx, service, port), host: '127.0.0.1', port };
  }

  private statusOf(
    service: ServiceName,
    container: ComposeContainer | null,
    noContainer: ServiceState = 'stopped',
  ): ServiceStatus {
    if (!container) {
      const since = this.record(service, noContainer);
      return { service, provider: 'docker', state: noContainer, since };
    }
    const a = assessContainer(container, this.logHint(service));
    const since = this.record(service, a.state);
    const port = publishedPort(container, CONTAINER_PORTS[service]) ?? undefined;
    return {
      service,
      provider: 'docker',
      state: a.state,
      ...(port !== undefined
        ? { port, url: redactSecrets(connectionUrl(this.ctx, service, port)) }
        : {}),
      ...(a.reason ? { reason: `${LABELS[service]}: ${a.reason}` } : {}),
      ...(a.fix ? { fix: a.fix } : {}),
      since,
    };
  }

  /** Status when Docker itself cannot be asked: nothing of ours can be running, and the reason says why. */
  private unavailableStatus(service: ServiceName, err: unknown): ServiceStatus {
    const since = this.record(service, 'stopped');
    const message = err instanceof Error ? err.message : String(err);
    const fix = err instanceof NovaError ? err.fix : undefined;
    return {
      service,
      provider: 'docker',
      state: 'stopped',
      reason: message,
      ...(fix ? { fix } : {}),
      since,
    };
  }

  /** The container of `service` — a running one if several exist (e.g. one left over from a failed recreate). */
  private pick(service: ServiceName, containers: ComposeContainer[]): ComposeContainer | null {
    const mine = containers.filter((c) => c.service === this.composeServices[service]);
    return mine.find((c) => c.state === 'running') ?? mine[0] ?? null;
  }

  private record(service: ServiceName, state: ServiceState): Date {
    const prev = this.seen.get(service);
    if (prev && prev.state === state) return prev.since;
    const since = new Date(this.now());
    this.seen.set(service, { state, since });
    return since;
  }

  /** Detection once per provider (again after a failure), then the compose target it allows. */
  private target(): Promise<ComposeTarget> {
    this.ready ??= this.prepare().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  private async prepare(): Promise<ComposeTarget> {
    const detection = await (
      this.options.detect ?? (() => detectDocker({ runner: this.runner }))
    )();
    if (detection.engine !== 'running' || detection.invocation === null) {
      throw new DockerUnavailableError(
        detection.problems[0] ?? {
          kind: 'other',
          code: 'SERVICE_UNAVAILABLE',
          message: 'Docker is not usable.',
          fix: 'Check `docker info` and `docker compose version`.',
        },
      );
    }
    return { files: [this.composeFile], invocation: detection.invocation, env: this.composeEnv() };
  }

  private failure(what: string, command: CommandSpec, result: CommandResult): NovaError {
    const owners = new Map<number, PortOwner>(
      SERVICE_NAMES.map((s) => [this.ports[s], { label: LABELS[s], variable: PORT_VARIABLES[s] }]),
    );
    const { credentials } = this.ctx;
    return classifyDockerFailure({
      what,
      command,
      result,
      portOwners: owners,
      secrets: [credentials.postgresPassword, credentials.mongoPassword, credentials.redisPassword],
    });
  }

  /** The last log lines of a service, as a message suffix; empty when they cannot be read. */
  private async logTail(service: ServiceName): Promise<string> {
    try {
      const lines = await this.logs(service, 15);
      const { credentials: c } = this.ctx;
      const text = scrubSecrets(lines.join('\n'), [
        c.postgresPassword,
        c.mongoPassword,
        c.redisPassword,
      ]);
      return lines.length > 0 ? `\nLast log lines:\n${text}` : '';
    } catch {
      return '';
    }
  }

  private logHint(service: ServiceName): string {
    return `\`docker compose -p nova-db logs ${this.composeServices[service]}\``;
  }

  private checkService(service: ServiceName): void {
    if (!SERVICE_NAMES.includes(service)) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `"${String(service)}" is not a service nova-db runs.`,
        {
          fix: `Use one of: ${SERVICE_NAMES.join(', ')}.`,
        },
      );
    }
  }
}

function failureKind(err: unknown): DockerFailureKind | null {
  return err instanceof NovaError && 'kind' in err ? (err.kind as DockerFailureKind) : null;
}

/** ProviderFactory for the docker profile (types.ts). */
export function createDockerProvider(
  ctx: ProviderContext,
  options: DockerProviderOptions = {},
): DockerProvider {
  return new DockerProvider(ctx, options);
}
