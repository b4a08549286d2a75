/**
 * Every contract method implemented on top of the AppRuntime. The IPC
 * bridge (Electron) and the HTTP API (headless) both dispatch into this one
 * object, so the renderer gets the same answers through either.
 */
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';
import { appHandlers } from './app.js';
import { backupsHandlers } from './backups.js';
import { healthHandlers } from './health.js';
import { migrationHandlers } from './migration.js';
import { migrationWizardHandlers } from './migration-wizard.js';
import { servicesHandlers } from './services.js';
import { settingsHandlers } from './settings.js';
import { setupHandlers } from './setup.js';
import { tasksHandlers } from './tasks.js';

export function createHandlers(rt: AppRuntime): Handlers {
  return {
    ...appHandlers(rt),
    ...setupHandlers(rt),
    ...servicesHandlers(rt),
    ...healthHandlers(rt),
    ...tasksHandlers(rt),
    ...migrationHandlers(rt),
    ...migrationWizardHandlers(rt),
    ...backupsHandlers(rt),
    ...settingsHandlers(rt),
  };
}
