/**
 * One generation of the running appliance: the services the configuration
 * asks for, the data layer on top of them, and the health monitor watching
 * both. setup.apply replaces the whole generation, so nothing built for the
 * old configuration (a pool to the old server, a checker of the old cache)
 * outlives it.
 *
 * Opening never throws for a service or database that is unreachable: the
 * admin must still get the UI to fix the setup, so the failure is kept as
 * `openError` and reported by a health check.
 */
import { toErrorData, type ErrorData } from '../errors.js';
import type { NovaConfig } from '../config/schema.js';
import { HealthMonitor } from '../health/monitor.js';
import { standardCheckers, type HealthBackends } from '../health/standard-checkers.js';
import type { HealthChecker } from '../health/types.js';
import type { Logger } from '../logger.js';
import { ServiceManager, type ServiceManagerOptions } from '../services/service-manager.js';
import type { ServiceName } from '../services/types.js';
import type { DatabaseFactory } from '../stores/database-factory.js';
import type { Endpoints } from '../services/types.js';
import type { Backends } from '../stores/open-backends.js';
import type { BackupScheduler } from '../backup/scheduler.js';
import type { TaskRegistry } from '../tasks/task.js';
import { backupTargetsFromConfig } from '../backup/backup-targets.js';
import { coverageNeeds } from '../backup/coverage.js';
import { backupSpaceChecker } from '../health/checkers/backup-space-checker.js';
import { migrationChecker } from '../health/checkers/migration-checker.js';
import { restoreTestChecker } from '../health/checkers/restore-test-checker.js';
import {
  backupSpaceSource,
  migrationStateSource,
  restoreProofSource,
  restoreTestScheduler,
} from './data-safety.js';
import { serviceProfiles } from '../config/schema.js';
import { lastBackupSource, startBackupSchedule, type BackupCoverage } from './backup-adapter.js';

export interface DataLayerOptions {
  config: NovaConfig;
  logger: Logger;
  /** Passed to ServiceManager.create (tests pin native search dirs, ports…). */
  serviceManager?: Omit<ServiceManagerOptions, 'config'>;
  health?: { intervalMs?: number; timeoutMs?: number };
  /** Where scheduled backups run as Tasks. */
  tasks: TaskRegistry;
}

export interface DataLayer {
  services: ServiceManager;
  factory: DatabaseFactory | null;
  backends: Backends | null;
  monitor: HealthMonitor;
  /** Scheduled backups of this configuration; null when off or when the data layer is closed. */
  scheduler: BackupScheduler | null;
  /** Scheduled trial restores (data-safety.ts); null when off or when the data layer is closed. */
  restoreTests: BackupScheduler | null;
  /** Where the started services listen (secret: URLs carry passwords). */
  endpoints: Endpoints;
  /** Services that did not start, as shown to the admin. */
  failed: { service: ServiceName; error: ErrorData }[];
  /** Why the data layer could not be opened; null when it is open. */
  openError: ErrorData | null;
  /** What a backup of this configuration must hold (coverage.ts). */
  coverage: BackupCoverage;
}

const FIRST_BACKUP_WAIT_MS = 15_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export async function openDataLayer(options: DataLayerOptions): Promise<DataLayer> {
  const { config, logger } = options;
  const services = await ServiceManager.create({ config, ...options.serviceManager });
  const { endpoints, failed } = await services.startAll();
  for (const f of failed) logger.warn(`${f.service} did not start`, { error: f.error.message });

  const urls: Endpoints = {
    ...(endpoints.postgres ? { postgres: endpoints.postgres.url } : {}),
    ...(endpoints.mongo ? { mongo: endpoints.mongo.url } : {}),
    ...(endpoints.redis ? { redis: endpoints.redis.url } : {}),
  };
  let backends: Backends | null = null;
  let factory: DatabaseFactory | null = null;
  let openError: ErrorData | null = null;
  try {
    const { openBackends } = await import('../stores/open-backends.js');
    const { DatabaseFactory } = await import('../stores/database-factory.js');
    backends = await openBackends(config, urls);
    factory = new DatabaseFactory(config, { backends });
    await factory.initialize();
  } catch (err) {
    // initialize() closes the backends it was given when it fails.
    backends = null;
    factory = null;
    openError = toErrorData(err);
    logger.error('the data layer could not be opened', {
      code: openError.code,
      error: openError.message,
    });
  }

  // Where documents really are decides what a backup must hold: the store that opened says.
  const documentsInRelational = backends
    ? !backends.documentsRemote
    : serviceProfiles(config).mongo === 'embedded' ||
      (serviceProfiles(config).mongo === 'native' && !urls.mongo && !config.MONGODB_URL);
  const coverage: BackupCoverage = {
    documentsInRelational,
    needs: coverageNeeds(config, {
      documentsInRelational,
      ...(urls.postgres ? { postgresUrl: urls.postgres } : {}),
    }),
  };

  const live = { backends };
  const checkers = factory
    ? [
        ...standardCheckers(() => (live.backends ?? undefined) as HealthBackends | undefined, {
          dataDir: config.NOVA_DATA_DIR,
          services,
          lastBackup: lastBackupSource(config, coverage),
        }),
        // Data safety: proof of restorability, room for the next backup, half-done migrations.
        restoreTestChecker(restoreProofSource(config, coverage)),
        backupSpaceChecker(backupSpaceSource(config, coverage)),
        migrationChecker(migrationStateSource(config.NOVA_DATA_DIR, options.tasks)),
      ]
    : [dataLayerClosedChecker(openError!)];
  const monitor = new HealthMonitor(checkers, { ...options.health, logger });
  // A finished backup changes the backup check: show it now, not an interval later.
  const schedule = factory
    ? startBackupSchedule(
        config,
        urls,
        options.tasks,
        logger,
        coverage,
        () => void monitor.runNow(),
      )
    : null;
  // The first backup of a fresh data directory is quick; wait for it (within
  // reason) so the first health report is not a needless "no backup yet".
  if (schedule) await Promise.race([schedule.armed, delay(FIRST_BACKUP_WAIT_MS)]);
  const restoreTests = factory
    ? restoreTestScheduler({
        config,
        coverage,
        targets: () => backupTargetsFromConfig(config, urls, { documentsInRelational }),
        tasks: options.tasks,
        logger,
        onRun: () => void monitor.runNow(),
      })
    : null;
  // After the first backup: a fresh backup was just verified with a trial restore.
  if (restoreTests) void (schedule?.armed ?? Promise.resolve()).then(() => restoreTests.start());
  monitor.start();

  const layer: DataLayer = {
    services,
    factory,
    backends,
    monitor,
    scheduler: schedule?.scheduler ?? null,
    restoreTests,
    endpoints: urls,
    failed,
    openError,
    coverage,
  };
  // Shutdown phase (docs/ARCHITECTURE.md#shutdown-is-a-phase): teardown steps run in reverse
  // order before the services stop — the monitor first, then the pools.
  services.registerTeardown('data layer', async () => {
    live.backends = null;
    await factory?.close();
  });
  services.registerTeardown('health monitor', () => monitor.stop());
  services.registerTeardown('backup schedule', () => layer.scheduler?.stop());
  services.registerTeardown('trial restore schedule', () => layer.restoreTests?.stop());
  return layer;
}

/** Stands in for the store checks while the data layer is closed, so health says why. */
function dataLayerClosedChecker(error: ErrorData): HealthChecker {
  return {
    id: 'data-layer',
    service: 'relational',
    label: 'Data layer',
    applicable: () => true,
    check: () =>
      Promise.resolve({
        status: 'down' as const,
        latencyMs: null,
        detail: `the data layer could not be opened: ${error.message}`,
        fix: error.fix ?? 'Open Setup, correct the service settings and save them.',
      }),
  };
}
