/**
 * The desktop app's lifecycle (docs/ARCHITECTURE.md#user-interfaces, #the-tray-is-a-projection, #shutdown-is-a-phase): one
 * instance, the renderer on app://, the runtime in a utility process, the
 * window, the tray rebuilt from health, notifications on transitions, and
 * a quit that waits for the services to stop and the tasks to checkpoint.
 * Thin on purpose: everything it shows comes from the runtime via the contract.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, session, type BrowserWindow } from 'electron';
import {
  EVENT_CHANNEL,
  type HealthSummaryDto,
  type NovaEvent,
} from '../../shared-contract/index.js';
import type { TrayAction } from '../core/tray/tray-model.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { getAutoStart, setAutoStart } from './auto-start.js';
import type { DesktopOptions } from './desktop-options.js';
import { registerIpcHandlers } from './ipc.js';
import { notifyTransition } from './notifications.js';
import { RuntimeProcess } from './runtime-process.js';
import { createTray, type TrayController } from './tray.js';
import { createMainWindow, lockDownSession } from './window.js';

/** The checkout or the packaged app: dist/main/electron → three levels up. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PATHS = {
  renderer: path.join(ROOT, 'dist', 'renderer'),
  preload: path.join(ROOT, 'dist', 'preload', 'preload.cjs'),
  host: path.join(ROOT, 'dist', 'main', 'core', 'app', 'runtime-host-entry.js'),
  resources: app.isPackaged ? process.resourcesPath : path.join(ROOT, 'resources'),
};

const log = {
  warn: (message: string, fields?: Record<string, unknown>) =>
    console.warn(`nova-db: ${message}`, fields ?? ''),
  error: (message: string, fields?: Record<string, unknown>) =>
    console.error(`nova-db: ${message}`, fields ?? ''),
};

export function runDesktopApp(options: DesktopOptions): void {
  // Before ready: the scheme must be privileged before any page loads.
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    // Another Nova DB owns the data directory; it focuses its window (second-instance).
    app.quit();
    return;
  }
  let win: BrowserWindow | null = null;
  let tray: TrayController | null = null;
  let runtime: RuntimeProcess | null = null;
  let health: HealthSummaryDto | null = null;
  const serviceStates = new Map<string, string>();
  const runningBackups = new Set<string>();
  let stopped = false;
  let quitting = false;

  const showWindow = () => {
    if (!win || win.isDestroyed()) {
      win = createMainWindow({ preloadPath: PATHS.preload, kiosk: options.kiosk });
      win.on('closed', () => (win = null));
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const refreshTray = () =>
    tray?.update(health, {
      servicesRunning: [...serviceStates.values()].some(
        (s) => s === 'healthy' || s === 'degraded' || s === 'starting',
      ),
      backupRunning: runningBackups.size > 0,
    });
  const onTrayAction = (action: TrayAction) => {
    const call = (method: 'services.startAll' | 'services.stopAll' | 'backups.run') =>
      void runtime
        ?.call(method, {})
        .then((r) => !r.ok && log.warn(`${method} failed`, { error: r.error.message }));
    if (action === 'open-dashboard') showWindow();
    else if (action === 'start-services') call('services.startAll');
    else if (action === 'stop-services') call('services.stopAll');
    else if (action === 'backup-now') call('backups.run');
    else if (action === 'quit') app.quit();
  };
  const onEvent = (event: NovaEvent) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
    if (event.type === 'health') health = event.health;
    if (event.type === 'service') serviceStates.set(event.service, event.to);
    if (event.type === 'task' && event.task.kind.startsWith('backup')) {
      if (event.task.state === 'running' || event.task.state === 'pending')
        runningBackups.add(event.task.id);
      else runningBackups.delete(event.task.id);
    }
    if (event.type === 'health-transition') notifyTransition(event, showWindow);
    if (event.type === 'health' || event.type === 'service' || event.type === 'task') refreshTray();
  };

  app.on('second-instance', showWindow);
  // Closing the window keeps Nova running in the tray; a kiosk has no tray to come back from.
  app.on('window-all-closed', () => {
    if (options.kiosk) app.quit();
  });
  app.on('before-quit', (event) => {
    if (stopped || !runtime) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    win?.hide();
    void runtime.shutdown().then((error) => {
      if (error) log.error('shutdown was not clean', { error: error.message });
      stopped = true;
      tray?.destroy();
      app.quit();
    });
  });

  void app.whenReady().then(async () => {
    serveRenderer(PATHS.renderer);
    lockDownSession(session.defaultSession);
    runtime = new RuntimeProcess({
      entry: PATHS.host,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      // Installed, the compose files live in resources/compose (electron-builder.yml):
      // the docker CLI cannot read them inside app.asar.
      ...(app.isPackaged ? { assets: { composeDir: path.join(PATHS.resources, 'compose') } } : {}),
    });
    runtime.on('event', onEvent);
    runtime.on('exit', (code) => {
      if (!quitting) {
        dialog.showErrorBox(
          'Nova DB',
          `The data-services process stopped unexpectedly (code ${code}). Nova DB will close; start it again.`,
        );
        stopped = true;
        app.quit();
      }
    });
    registerIpcHandlers({
      trustedContents: () => (win && !win.isDestroyed() ? win.webContents : null),
      forward: (method, input) => runtime!.call(method, input),
      local: {
        'settings.getAutoStart': () => getAutoStart(options.kiosk ? ['--kiosk'] : []),
        'settings.setAutoStart': (input) =>
          setAutoStart((input as { enabled: boolean }).enabled, options.kiosk ? ['--kiosk'] : []),
      },
      logger: log,
    });
    tray = createTray(PATHS.resources, onTrayAction);
    try {
      await runtime.ready;
    } catch (err) {
      dialog.showErrorBox(
        'Nova DB could not start',
        err instanceof Error ? err.message : String(err),
      );
      stopped = true;
      app.quit();
      return;
    }
    if (options.autoStart !== undefined) {
      await setAutoStart(options.autoStart, options.kiosk ? ['--kiosk'] : []).catch(
        (err: unknown) =>
          log.warn('could not change start at login', {
            error: err instanceof Error ? err.message : String(err),
          }),
      );
    }
    showWindow();
  });
}
