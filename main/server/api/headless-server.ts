/**
 * The headless server assembled (docs/ARCHITECTURE.md#user-interfaces): the AppRuntime's contract over
 * HTTP + WebSocket, the renderer's files, `/health` and `/metrics`, with
 * host, origin and token checks in front of all of it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRuntime } from '../../core/app/app-runtime.js';
import { assetLocation } from '../../core/asset-locations.js';
import { createHandlers } from '../../core/app/handlers/index.js';
import { healthFromMonitor, healthRoutes, type HealthSource } from '../health-routes.js';
import { startHttpServer, type RunningHttpServer } from '../http-server.js';
import { sendError, type Route } from '../router.js';
import { apiRoutes } from './api-routes.js';
import { AuthThrottle } from './auth-throttle.js';
import { createEventSocketServer } from './events-socket.js';
import {
  checkHost,
  checkOrigin,
  checkTokenThrottled,
  needsToken,
  type RequestPolicy,
} from './request-security.js';
import { staticRoutes } from './static-files.js';
import { TokenSessions } from './token-sessions.js';

export interface HeadlessServerOptions {
  runtime: AppRuntime;
  host: string;
  port: number;
  /** The built renderer; default dist/renderer next to this build. */
  rendererDir?: string;
  /** More routes, e.g. for tests. */
  routes?: Route[];
  /** PEM certificate chain and key: serve HTTPS/WSS. */
  tls?: { cert: Buffer; key: Buffer };
}

export interface HeadlessServer extends RunningHttpServer {
  /** Where a person logs in: the UI with the token in the fragment (never sent to the server or its logs). */
  loginUrl(): string;
  /** False when the renderer was not built: the API still works, the UI says how to build it. */
  uiAvailable: boolean;
}

/**
 * dist/renderer, found from this module in dist/main/server/api or
 * main/server/api, unless the install registered another place (the single binary).
 */
export function defaultRendererDir(): string {
  const shipped = assetLocation('rendererDir');
  if (shipped) return shipped;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${path.sep}dist${path.sep}`)
    ? here.slice(0, here.lastIndexOf(`${path.sep}dist${path.sep}`))
    : path.resolve(here, '../../..');
  return path.join(root, 'dist', 'renderer');
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { runtime, host } = options;
  const logger = runtime.logger;
  let boundPort = options.port;
  const policy: RequestPolicy = {
    host,
    port: () => boundPort,
    token: () => runtime.adminToken(),
    scheme: options.tls ? 'https' : 'http',
  };

  const handlers = createHandlers(runtime);
  const throttle = new AuthThrottle({ logger });
  const sockets = createEventSocketServer(policy, throttle);
  const onEvent = (event: Parameters<typeof sockets.broadcast>[0]) => sockets.broadcast(event);
  runtime.on('event', onEvent);
  const sessions = new TokenSessions(policy);
  // A rotation (API, signal or --rotate-token) ends what the old token opened, at once.
  const onRotated = () => {
    sockets.revokeStale();
    sessions.revokeStale();
  };
  runtime.on('admin-token-rotated', onRotated);

  // The monitor is replaced when the setup changes; always read the current one.
  const monitor: HealthSource = {
    current: () => runtime.layer.monitor.current(),
    get runCount() {
      return runtime.layer.monitor.runCount;
    },
  };
  const ui = await staticRoutes(options.rendererDir ?? defaultRendererDir());
  if (ui.length === 0)
    logger.warn('the admin UI is not built (dist/renderer is missing); run npm run build');

  const server = await startHttpServer({
    host,
    port: options.port,
    logger,
    ...(options.tls ? { tls: options.tls } : {}),
    health: healthFromMonitor(monitor),
    routes: [
      ...healthRoutes(monitor),
      ...apiRoutes(() => handlers, logger),
      ...ui,
      ...(options.routes ?? []),
    ],
    guard: (req, res, url) => {
      for (const verdict of [
        checkHost(req, policy),
        checkOrigin(req, policy),
        needsToken(url.pathname, policy)
          ? checkTokenThrottled(req, policy, throttle, url.pathname)
          : ({ ok: true } as const),
      ]) {
        if (verdict.ok) continue;
        if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="nova"');
        if (verdict.status === 429) res.setHeader('Retry-After', '60');
        sendError(res, verdict.status, {
          code: verdict.code,
          message: verdict.message,
          fix: verdict.fix,
        });
        return false;
      }
      if (needsToken(url.pathname, policy)) sessions.track(req, res);
      return true;
    },
    onUpgrade: (req, socket, head) => sockets.handleUpgrade(req, socket, head),
  });
  boundPort = server.port;

  return {
    ...server,
    uiAvailable: ui.length > 0,
    loginUrl: () => `${server.url}/#token=${encodeURIComponent(runtime.adminToken())}`,
    close: async () => {
      runtime.off('event', onEvent);
      runtime.off('admin-token-rotated', onRotated);
      sockets.close();
      await server.close();
    },
  };
}
