/**
 * The one object the app, the headless server and the CLI use to bring the
 * data services up and down (main/core/services/README.md, docs/ARCHITECTURE.md#services-are-state-machines, #shutdown-is-a-phase). It
 * picks a provider per service from the configured profiles, drives each
 * service's state machine, hands native servers to the supervisor, and
 * returns the endpoints the data layer should connect to.
 *
 * Shutdown is a phase, not an afterthought: other parts register teardown
 * steps (close pools, finish a backup) which run first, then every service
 * is stopped and waited for, so quitting never orphans a server.
 */
import { EventEmitter } from 'node:events';
import { NovaError, toErrorData, type ErrorData } from '../errors.js';
import { loadCredentials } from '../config/credentials.js';
import { serviceProfiles, type NovaConfig } from '../config/schema.js';
import { loadDockerModule } from './docker-module.js';
import { ExternalProvider } from './external-provider.js';
import { SERVICE_LABEL } from './handshake.js';
import { NativeProvider, type NativeProviderOptions } from './native/native-provider.js';
import { nativeOptionsFromConfig } from './native-options.js';
import { ServiceStateMachine, type StateChange } from './service-state-machine.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';
import {
  SERVICE_NAMES,
  type ProviderKind,
  type ServiceCredentials,
  type ServiceEndpoint,
  type ServiceName,
  type ServiceProvider,
  type ServiceStatus,
} from './types.js';

export type ServiceEndpoints = Partial<Record<ServiceName, ServiceEndpoint>>;

export interface StartAllResult {
  /** Where the data layer connects, for every service that runs as a server. Secret (URLs carry passwords). */
  endpoints: ServiceEndpoints;
  /** Services that could not be started, with errors safe to show. */
  failed: { service: ServiceName; error: ErrorData }[];
}

export interface ServiceManagerOptions {
  config: NovaConfig;
  /** Default: config.NOVA_DATA_DIR. */
  dataDir?: string;
  /** Default: read (or create) `<dataDir>/credentials.json`. */
  credentials?: ServiceCredentials;
  /** Provider instances to use instead of the built-in ones (e.g. a preconfigured docker provider). */
  providers?: Partial<Record<Exclude<ProviderKind, 'embedded'>, ServiceProvider>>;
  /** Options for the native provider (search dirs, fixed ports, PostgreSQL OS user). */
  native?: Omit<NativeProviderOptions, 'dataDir' | 'credentials'>;
  /** Supervision of native servers; false disables it. */
  supervisor?: SupervisorOptions | false;
}

interface ManagerEvents {
  'state-changed': [StateChange];
}

type Teardown = { name: string; run: () => Promise<void> | void };

export class ServiceManager extends EventEmitter<ManagerEvents> {
  readonly config: NovaConfig;
  readonly dataDir: string;
  readonly supervisor: Supervisor | undefined;
  readonly #credentials: ServiceCredentials;
  readonly #options: ServiceManagerOptions;
  readonly #machines = new Map<ServiceName, ServiceStateMachine>();
  readonly #providerKinds: Record<ServiceName, ProviderKind>;
  readonly #providers = new Map<ProviderKind, Promise<ServiceProvider>>();
  readonly #endpoints: ServiceEndpoints = {};
  readonly #pending = new Map<ServiceName, Promise<unknown>>();
  readonly #teardowns: Teardown[] = [];
  #shutdown: Promise<void> | undefined;

  private constructor(options: ServiceManagerOptions, credentials: ServiceCredentials) {
    super();
    this.#options = options;
    this.config = options.config;
    this.dataDir = options.dataDir ?? options.config.NOVA_DATA_DIR;
    this.#credentials = credentials;
    this.#providerKinds = serviceProfiles(options.config);
    this.supervisor =
      options.supervisor === false ? undefined : new Supervisor(options.supervisor ?? {});
    for (const service of SERVICE_NAMES) {
      const machine = new ServiceStateMachine(service);
      machine.on('state-changed', (change) => this.emit('state-changed', change));
      this.#machines.set(service, machine);
    }
  }

  static async create(options: ServiceManagerOptions): Promise<ServiceManager> {
    const dataDir = options.dataDir ?? options.config.NOVA_DATA_DIR;
    const credentials = options.credentials ?? (await loadCredentials(dataDir));
    return new ServiceManager(options, credentials);
  }

  /** Which provider each service uses. */
  providerKinds(): Record<ServiceName, ProviderKind> {
    return { ...this.#providerKinds };
  }

  machine(service: ServiceName): ServiceStateMachine {
    return this.#machines.get(service) as ServiceStateMachine;
  }

  /** Endpoints of the services currently up (secret: URLs carry passwords). */
  endpoints(): ServiceEndpoints {
    return { ...this.#endpoints };
  }

  /** The provider for a kind, built on first use. */
  provider(kind: Exclude<ProviderKind, 'embedded'>): Promise<ServiceProvider> {
    let p = this.#providers.get(kind);
    if (!p) {
      p = this.#buildProvider(kind);
      p.catch(() => this.#providers.delete(kind));
      this.#providers.set(kind, p);
    }
    return p;
  }

  async #buildProvider(kind: Exclude<ProviderKind, 'embedded'>): Promise<ServiceProvider> {
    const given = this.#options.providers?.[kind];
    if (given) return given;
    const ctx = { dataDir: this.dataDir, config: this.config, credentials: this.#credentials };
    switch (kind) {
      case 'native':
        return new NativeProvider({
          dataDir: this.dataDir,
          credentials: this.#credentials,
          // NOVA_BIN_SEARCH_DIRS / NOVA_NATIVE_*_PORT, unless the caller pins them.
          ...nativeOptionsFromConfig(this.config),
          ...this.#options.native,
        });
      case 'external':
        return new ExternalProvider(this.config);
      case 'docker': {
        const load = await loadDockerModule();
        if (!load.module) {
          throw new NovaError(
            'SERVICE_UNAVAILABLE',
            `The docker profile cannot be used: ${load.reason}.`,
            {
              fix: 'Choose the native, external or embedded profile, or use a build that includes the Docker provider.',
            },
          );
        }
        return load.module.createDockerProvider(ctx);
      }
    }
  }

  /** Starts every service; one failing does not stop the others (each ends `failed` with its reason). */
  async startAll(): Promise<StartAllResult> {
    const failed: StartAllResult['failed'] = [];
    await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        try {
          await this.start(service);
        } catch (err) {
          failed.push({ service, error: toErrorData(err) });
        }
      }),
    );
    return { endpoints: this.endpoints(), failed };
  }

  /**
   * Starts one service (idempotent while healthy). Resolves with its endpoint,
   * or undefined for a service that runs in-process (embedded) or is not
   * available natively (mongod missing: documents fall back to PostgreSQL).
   */
  async start(service: ServiceName): Promise<ServiceEndpoint | undefined> {
    await this.#pending.get(service)?.catch(() => undefined);
    if (this.#shutdown)
      throw new NovaError('SERVICE_UNAVAILABLE', 'Nova is shutting down.', {
        fix: 'Start it again.',
      });
    const machine = this.machine(service);
    if (machine.state === 'healthy' || machine.state === 'degraded')
      return this.#endpoints[service];
    const run = this.#start(service, machine);
    this.#pending.set(service, run);
    try {
      return await run;
    } finally {
      if (this.#pending.get(service) === run) this.#pending.delete(service);
    }
  }

  async #start(
    service: ServiceName,
    machine: ServiceStateMachine,
  ): Promise<ServiceEndpoint | undefined> {
    const kind = this.#providerKinds[service];
    machine.transition('starting');
    if (kind === 'embedded') {
      machine.transition('healthy', 'embedded: runs inside Nova, nothing to start');
      return undefined;
    }
    try {
      const provider = await this.provider(kind);
      if (
        kind === 'native' &&
        service === 'mongo' &&
        provider instanceof NativeProvider &&
        !(await provider.binaries()).mongod
      ) {
        // docs/ARCHITECTURE.md#profiles: native documents live in PostgreSQL JSONB when mongod is absent.
        machine.transition(
          'healthy',
          'mongod is not installed; documents are stored in PostgreSQL (JSONB)',
        );
        return undefined;
      }
      const endpoint = await provider.start(service);
      this.#endpoints[service] = endpoint;
      machine.transition('healthy');
      if (provider instanceof NativeProvider) await this.#supervise(service, provider);
      return endpoint;
    } catch (err) {
      delete this.#endpoints[service];
      const e = err instanceof NovaError ? err : undefined;
      if (machine.state !== 'failed')
        machine.fail(err instanceof Error ? err.message : String(err), e?.fix);
      throw err;
    }
  }

  async #supervise(service: ServiceName, provider: NativeProvider): Promise<void> {
    if (!this.supervisor) return;
    const server = await provider.server(service);
    this.supervisor.watch({
      service,
      machine: this.machine(service),
      check: () => server.check(),
      restart: async () => {
        this.#endpoints[service] = await provider.start(service);
      },
      logs: (lines) => server.logs(lines),
      ...(server.onUnexpectedExit
        ? {
            onUnexpectedExit: (listener: (reason: string) => void) =>
              server.onUnexpectedExit!((exit) =>
                listener(
                  `${SERVICE_LABEL[service]} (pid ${exit.pid}) exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `code ${String(exit.exitCode)}`})`,
                ),
              ),
          }
        : {}),
    });
  }

  /** Stops one service and waits for its process to be gone. */
  async stop(service: ServiceName): Promise<void> {
    await this.#pending.get(service)?.catch(() => undefined);
    const machine = this.machine(service);
    if (machine.state === 'stopped') return;
    const run = this.#stop(service, machine);
    this.#pending.set(service, run);
    try {
      await run;
    } finally {
      if (this.#pending.get(service) === run) this.#pending.delete(service);
    }
  }

  async #stop(service: ServiceName, machine: ServiceStateMachine): Promise<void> {
    // Unwatch first: our own stop must not look like a crash to the supervisor.
    await this.supervisor?.release(service);
    const kind = this.#providerKinds[service];
    machine.transition('stopping');
    try {
      if (kind !== 'embedded') {
        const provider = await this.provider(kind);
        const skip =
          kind === 'native' &&
          service === 'mongo' &&
          provider instanceof NativeProvider &&
          !(await provider.binaries()).mongod;
        if (!skip) await provider.stop(service);
      }
      delete this.#endpoints[service];
      machine.transition('stopped');
    } catch (err) {
      machine.fail(
        `Stopping ${SERVICE_LABEL[service]} failed: ${err instanceof Error ? err.message : String(err)}`,
        err instanceof NovaError ? err.fix : undefined,
      );
      throw err;
    }
  }

  /** Stops every service (in reverse start order) and waits for all of them. */
  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const service of [...SERVICE_NAMES].reverse()) {
      try {
        await this.stop(service);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new NovaError(
        'SERVICE_UNAVAILABLE',
        `Several services did not stop cleanly: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`,
        {
          fix: 'Check `nova-db status` and stop leftover processes by hand.',
        },
      );
    }
  }

  /** Status of every service: lifecycle from the state machine, live details from the provider. */
  async statusAll(): Promise<ServiceStatus[]> {
    return Promise.all(SERVICE_NAMES.map((s) => this.status(s)));
  }

  async status(service: ServiceName): Promise<ServiceStatus> {
    const machine = this.machine(service);
    const kind = this.#providerKinds[service];
    const base: ServiceStatus = {
      service,
      provider: kind,
      state: machine.state,
      since: machine.since,
      ...(machine.reason ? { reason: machine.reason } : {}),
      ...(machine.fix ? { fix: machine.fix } : {}),
    };
    if (kind === 'embedded' || machine.state === 'stopped') return base;
    try {
      const live = await (await this.provider(kind)).status(service);
      return {
        ...base,
        ...(live.url ? { url: live.url } : {}),
        ...(live.port ? { port: live.port } : {}),
        ...(live.pid ? { pid: live.pid } : {}),
        // A live problem the supervisor has not acted on yet is still worth showing.
        ...(!base.reason && live.state !== 'healthy'
          ? { reason: live.reason ?? `the ${SERVICE_LABEL[service]} server is ${live.state}` }
          : {}),
      };
    } catch {
      return base;
    }
  }

  /**
   * Registers a step of the shutdown phase (close pools, finish a backup…).
   * Steps run in reverse registration order, before services stop. Returns
   * an unregister function.
   */
  registerTeardown(name: string, run: () => Promise<void> | void): () => void {
    const entry = { name, run };
    this.#teardowns.push(entry);
    return () => {
      const i = this.#teardowns.indexOf(entry);
      if (i >= 0) this.#teardowns.splice(i, 1);
    };
  }

  /**
   * The shutdown phase: teardown steps, then supervision off, then every
   * service stopped and waited for. Idempotent — every caller awaits the
   * same run. Errors of individual steps are collected, not allowed to skip
   * the remaining steps.
   */
  shutdown(options: { teardownTimeoutMs?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#runShutdown(options.teardownTimeoutMs ?? 15_000);
    return this.#shutdown;
  }

  async #runShutdown(timeoutMs: number): Promise<void> {
    const problems: string[] = [];
    for (const step of [...this.#teardowns].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.run),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not finish within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
      } catch (err) {
        problems.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    try {
      await this.stopAll(); // releases each service from the supervisor first
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    this.supervisor?.close();
    if (problems.length) {
      throw new NovaError(
        'SERVICE_UNAVAILABLE',
        `Shutdown finished with problems: ${problems.join('; ')}`,
        {
          fix: 'Check `nova-db status` for servers still running.',
        },
      );
    }
  }
}
