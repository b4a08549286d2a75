/**
 * The names of every method, without zod, so the sandboxed preload bundle
 * stays tiny. contract.ts proves at compile time that this list and the
 * schemas name exactly the same methods.
 */
export const METHOD_NAMES = [
  'app.info',
  'setup.detect',
  'setup.current',
  'setup.testConnection',
  'setup.apply',
  'services.list',
  'services.start',
  'services.stop',
  'services.logs',
  'services.startAll',
  'services.stopAll',
  'health.current',
  'health.refresh',
  'health.history',
  'tasks.list',
  'tasks.get',
  'tasks.cancel',
  'migration.inspect',
  'migration.planPreview',
  'migration.dryRun',
  'migration.start',
  'migration.cancel',
  'migration.resume',
  'migration.report',
  'migration.targetCheck',
  'migration.prepareTarget',
  'migration.discard',
  'migration.setRules',
  'migration.rejects',
  'migration.applyRejects',
  'backups.list',
  'backups.run',
  'backups.verify',
  'backups.restore',
  'backups.setSchedule',
  'settings.get',
  'settings.update',
  'settings.rotateAdminToken',
  'settings.setAutoStart',
  'settings.getAutoStart',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/** IPC channel of a method; one per method so main registers a handler per name, never a generic one. */
export function ipcChannel(method: MethodName): string {
  return `nova:${method}`;
}

/** The one channel main pushes events on. */
export const EVENT_CHANNEL = 'nova:event';

/** HTTP path of a method on the headless server. */
export function apiPath(method: MethodName): string {
  return `/api/${method}`;
}

/** The WebSocket endpoint that pushes events in headless mode. */
export const EVENTS_PATH = '/api/events';

/** Subprotocol prefix that carries the admin token on the WebSocket handshake (browsers cannot set Authorization there). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'nova.token.';
/** The subprotocol the server agrees to once the token checked out. */
export const WS_PROTOCOL = 'nova.v1';

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}
