/**
 * The application-service layer (docs/ARCHITECTURE.md#layers): one object that owns
 * the configuration, the services, the data layer, the health monitor, the
 * task registry and the migration sessions, for BOTH front doors — the
 * Electron app (through IPC, in a utility process) and the headless server
 * (through HTTP). Handlers (./handlers) implement the contract on top of it,
 * so the renderer cannot tell which door it came through.
 */
import { EventEmitter } from 'node:events';
import { access, readFile } from 'node:fs/promises';
import type { NovaEvent } from '../../../shared-contract/index.js';
import { credentialsPath, loadCredentials, rotateCredential } from '../config/credentials.js';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../config/load-config.js';
import type { NovaConfig } from '../config/schema.js';
import { readSettings } from '../config/settings-file.js';
import { NovaError, type ErrorData } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StateChange } from '../services/service-state-machine.js';
import type { DatabaseFactory } from '../stores/database-factory.js';
import { TaskRegistry } from '../tasks/task.js';
import { startBackupSchedule } from './backup-adapter.js';
import { openDataLayer, type DataLayer, type DataLayerOptions } from './data-layer.js';
import { healthSummary } from '../health/rollup.js';
import { LogRing, teeLogger } from './log-ring.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { MigrationSessions } from './migration-sessions.js';
import { logServiceChange, logTaskOutcomes } from './operation-log.js';
import { packageVersion } from '../package-version.js';

export interface AppRuntimeOptions {
  mode: 'desktop' | 'headless';
  logger: Logger;
  /** How to load the configuration (data dir, env, cwd, flag overrides); re-used on every reconfigure. */
  configOptions: LoadConfigOptions;
  serviceManager?: DataLayerOptions['serviceManager'];
  health?: DataLayerOptions['health'];
}

interface RuntimeEvents {
  event: [NovaEvent];
  /** The admin token changed: connections opened with the old one must be closed. */
  'admin-token-rotated': [];
}

export class AppRuntime extends EventEmitter<RuntimeEvents> {
  readonly mode: AppRuntimeOptions['mode'];
  readonly logger: Logger;
  readonly logs: LogRing;
  readonly tasks = new TaskRegistry();
  readonly migrations: MigrationSessions;
  readonly version = packageVersion();
  #loaded: LoadedConfig;
  #layer: DataLayer;
  #adminToken: string;
  #firstRun: boolean;
  #restartRequired = false;
  #reconfiguring: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  readonly #options: AppRuntimeOptions;
  readonly #unsubscribe: (() => void)[] = [];
  /** This runtime owns the data dir (see data-dir-lock.ts); set by start(). */
  lock: DataDirLock = undefined as unknown as DataDirLock;

  private constructor(
    options: AppRuntimeOptions,
    ring: LogRing,
    loaded: LoadedConfig,
    token: string,
    firstRun: boolean,
  ) {
    super();
    this.#options = options;
    this.logs = ring;
    this.mode = options.mode;
    this.#loaded = loaded;
    this.#adminToken = token;
    this.#firstRun = firstRun;
    this.logger = options.logger;
    this.migrations = new MigrationSessions(loaded.config.NOVA_DATA_DIR);
    this.#layer = undefined as unknown as DataLayer; // set by start() before anyone can see it
    this.tasks.on('task', (task) => this.#emit({ type: 'task', task }));
    this.tasks.on('progress', (task) => this.#emit({ type: 'task', task }));
    this.tasks.on('state-changed', (task) => this.#emit({ type: 'task', task }));
    logTaskOutcomes(this.tasks, this.logger);
  }

  /**
   * Loads the configuration and credentials, starts the services and opens
   * the data layer. Resolves even when a service or the database cannot be
   * reached (the UI must come up to fix that); see `openError`.
   */
  static async start(options: AppRuntimeOptions): Promise<AppRuntime> {
    const ring = new LogRing();
    const logger = teeLogger(options.logger, ring);
    const loaded = await loadConfig(options.configOptions);
    logger.setLevel(loaded.config.NOVA_LOG_LEVEL);
    for (const warning of loaded.warnings) logger.warn(warning);
    const dataDir = loaded.config.NOVA_DATA_DIR;
    // Before anything in the data dir is touched: one owner at a time.
    const lock = await acquireDataDirLock(dataDir, options.mode);
    try {
      return await AppRuntime.#startOwned(options, ring, logger, loaded, lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  static async #startOwned(
    options: AppRuntimeOptions,
    ring: LogRing,
    logger: Logger,
    loaded: LoadedConfig,
    lock: DataDirLock,
  ): Promise<AppRuntime> {
    const dataDir = loaded.config.NOVA_DATA_DIR;
    const tokenExisted = await hasAdminToken(dataDir);
    const credentials = await loadCredentials(dataDir);
    const firstRun = !(await readSettings(dataDir)).exists;
    const runtime = new AppRuntime(
      { ...options, logger },
      ring,
      loaded,
      credentials.adminToken,
      firstRun,
    );
    runtime.adminTokenCreated = !tokenExisted;
    runtime.lock = lock;
    const swept = await runtime.migrations.sweepEnded();
    if (swept.length > 0)
      logger.info(`removed ${swept.length} folder(s) left by ended migration sessions`);
    runtime.#layer = await runtime.#open(loaded.config);
    return runtime;
  }

  /** True when this start created the admin token (the CLI prints the login link once, then). */
  adminTokenCreated = false;

  get config(): NovaConfig {
    return this.#loaded.config;
  }
  get loaded(): LoadedConfig {
    return this.#loaded;
  }
  get dataDir(): string {
    return this.#loaded.config.NOVA_DATA_DIR;
  }
  get firstRun(): boolean {
    return this.#firstRun;
  }
  get layer(): DataLayer {
    return this.#layer;
  }
  get openError(): ErrorData | null {
    return this.#layer.openError;
  }
  /** Settings were changed that the running data layer does not use yet. */
  get restartRequired(): boolean {
    return this.#restartRequired;
  }

  /** The data layer, or NOT_INITIALIZED saying why it is not open. */
  requireFactory(): DatabaseFactory {
    const { factory, openError } = this.#layer;
    if (factory) return factory;
    throw new NovaError(
      'NOT_INITIALIZED',
      `The data layer is not open${openError ? `: ${openError.message}` : '.'}`,
      { fix: openError?.fix ?? 'Open Setup, correct the service settings and save them.' },
    );
  }

  /** The current admin token of the headless server (read on every request, so rotation applies at once). */
  adminToken(): string {
    return this.#adminToken;
  }

  async rotateAdminToken(): Promise<string> {
    const credentials = await rotateCredential(this.dataDir, 'adminToken');
    this.#adminToken = credentials.adminToken;
    this.logger.info('the admin token was rotated; the old one no longer works');
    this.emit('admin-token-rotated');
    return this.#adminToken;
  }

  /** Re-reads the configuration (after a settings change), e.g. to show where values come from. */
  async reloadConfig(): Promise<LoadedConfig> {
    const before = this.#loaded.config;
    this.#loaded = await loadConfig(this.#options.configOptions);
    this.logger.setLevel(this.#loaded.config.NOVA_LOG_LEVEL);
    // The log level and the backup schedule apply live; everything else needs a new data layer.
    const changed = Object.keys(this.#loaded.config).some(
      (k) =>
        !isLiveSetting(k) &&
        JSON.stringify(this.#loaded.config[k as keyof NovaConfig]) !==
          JSON.stringify(before[k as keyof NovaConfig]),
    );
    if (changed) this.#restartRequired = true;
    return this.#loaded;
  }

  /** Re-arms scheduled backups from the configuration as it is now. */
  restartBackupSchedule(): void {
    const layer = this.#layer;
    layer.scheduler?.stop();
    layer.scheduler = layer.factory
      ? (startBackupSchedule(
          this.#loaded.config,
          layer.endpoints,
          this.tasks,
          this.logger,
          layer.coverage,
          () => void layer.monitor.runNow(),
        )?.scheduler ?? null)
      : null;
  }

  /**
   * Replaces the running generation with one built from the configuration
   * as it is now: the old services are stopped and its pools closed first,
   * so two generations never hold the same ports or files.
   */
  reconfigure(options: { exceptTaskId?: string } = {}): Promise<void> {
    if (this.#shutdown) return Promise.reject(shuttingDown());
    this.#reconfiguring ??= this.#reconfigure(options.exceptTaskId).finally(() => {
      this.#reconfiguring = undefined;
    });
    return this.#reconfiguring;
  }

  async #reconfigure(exceptTaskId: string | undefined): Promise<void> {
    // A restore reopens the data layer from inside its own task; any other running task blocks.
    const busy = this.tasks
      .list()
      .filter((t) => (t.state === 'running' || t.state === 'pending') && t.id !== exceptTaskId);
    if (busy.length > 0) {
      throw new NovaError(
        'SERVICE_UNAVAILABLE',
        `Cannot change the setup while ${busy.map((t) => `"${t.title}"`).join(', ')} is running.`,
        { fix: 'Wait for it to finish or cancel it, then save the setup again.' },
      );
    }
    this.#emit({ type: 'runtime', state: 'reconfiguring' });
    await this.#close(this.#layer);
    this.#loaded = await loadConfig(this.#options.configOptions);
    this.logger.setLevel(this.#loaded.config.NOVA_LOG_LEVEL);
    this.#layer = await this.#open(this.#loaded.config);
    this.#firstRun = !(await readSettings(this.dataDir)).exists;
    this.#restartRequired = false;
    this.#emit({ type: 'runtime', state: 'ready' });
  }

  /**
   * The shutdown phase (docs/ARCHITECTURE.md#shutdown-is-a-phase): running tasks are cancelled
   * and awaited (a migration checkpoints on cancel), then the data layer's
   * teardown steps run and every service is stopped. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#emit({ type: 'runtime', state: 'stopping' });
      await this.#reconfiguring?.catch(() => undefined);
      await this.tasks.cancelAll();
      // The wizard's sessions end with this process: their legacy snapshots go with them.
      await this.migrations.endAll().catch((err: unknown) =>
        this.logger.warn('could not remove the migration session snapshots', {
          error: err instanceof Error ? err.message : String(err),
        }),
      );
      await this.#close(this.#layer);
      await this.lock.release();
      this.logger.info('stopped');
    })();
    return this.#shutdown;
  }

  async #open(config: NovaConfig): Promise<DataLayer> {
    const layer = await openDataLayer({
      config,
      logger: this.logger,
      tasks: this.tasks,
      ...(this.#options.serviceManager ? { serviceManager: this.#options.serviceManager } : {}),
      ...(this.#options.health ? { health: this.#options.health } : {}),
    });
    const { services, monitor } = layer;
    const onState = (change: StateChange) => {
      logServiceChange(this.logger, change);
      this.#emit({
        type: 'service',
        service: change.service,
        from: change.from,
        to: change.to,
        ...(change.reason ? { reason: change.reason } : {}),
        at: change.at.toISOString(),
      });
    };
    services.on('state-changed', onState);
    // The starts happened while the layer opened: say where each service ended up.
    for (const s of await services.statusAll()) {
      const line = `${SERVICE_WORD[s.service]} (${s.provider}): ${s.state}`;
      if (s.state === 'failed')
        this.logger.error(line, s.reason ? { reason: s.reason } : undefined);
      else this.logger.info(line, s.reason ? { reason: s.reason } : undefined);
    }
    monitor.on('update', (health) => this.#emit({ type: 'health', health: healthSummary(health) }));
    monitor.on('transition', (t) => this.#emit({ type: 'health-transition', ...t }));
    this.#unsubscribe.push(() => services.off('state-changed', onState));
    return layer;
  }

  async #close(layer: DataLayer): Promise<void> {
    layer.monitor.removeAllListeners();
    for (const off of this.#unsubscribe.splice(0)) off();
    try {
      await layer.services.shutdown();
    } catch (err) {
      // Keep going: a service that did not stop cleanly is logged, and the
      // next generation still gets its chance to start.
      this.logger.warn('the services did not all stop cleanly', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  #emit(event: NovaEvent): void {
    try {
      this.emit('event', event);
    } catch (err) {
      this.logger.warn('an event listener threw', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

const SERVICE_WORD = { postgres: 'PostgreSQL', mongo: 'MongoDB', redis: 'Redis' } as const;

/** Settings that take effect without rebuilding the data layer. */
function isLiveSetting(key: string): boolean {
  return key === 'NOVA_LOG_LEVEL' || key.startsWith('NOVA_BACKUP_');
}

function shuttingDown(): NovaError {
  return new NovaError('SERVICE_UNAVAILABLE', 'Nova is shutting down.', { fix: 'Start it again.' });
}

async function hasAdminToken(dataDir: string): Promise<boolean> {
  try {
    await access(credentialsPath(dataDir));
  } catch {
    return false;
  }
  // The file may predate the admin token; loadCredentials adds it then.
  try {
    const parsed = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as Record<
      string,
      unknown
    >;
    return typeof parsed.adminToken === 'string';
  } catch {
    return true; // unreadable: loadCredentials reports it properly
  }
}
