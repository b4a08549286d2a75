/**
 * The headless HTTP server (docs/ARCHITECTURE.md#user-interfaces, #stable-interfaces): `GET /health` today; the
 * token-protected `/api`, `/metrics`, WebSocket and UI are added as routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { NovaError } from '../core/errors.js';
import { Router, sendJson, type Route } from './router.js';

/** What `/health` reports; any further fields (services, latencies…) are passed through as JSON. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
}

export interface ServerLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port; `url` tells which. */
  port: number;
  health: () => Promise<HealthReport>;
  logger: ServerLogger;
  /** Further routes (API, metrics…), matched after the built-in ones. */
  routes?: Route[];
  /**
   * Runs before routing on every request (host/origin/token checks). Returns
   * false when it has already answered (e.g. 401) and routing must not run.
   */
  guard?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  /** PEM certificate chain and key: serve HTTPS (and WSS) instead of plain HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  /** Handles `Upgrade:` requests (the WebSocket); without it they are refused. */
  onUpgrade?: (req: IncomingMessage, socket: Socket, head: Buffer) => void;
}

export interface RunningHttpServer {
  /** `http://host:port` with the port actually bound. */
  url: string;
  port: number;
  /** Stops accepting, drops idle keep-alive connections and resolves when closed. Safe to call twice. */
  close(): Promise<void>;
}

/** How long close() lets in-flight requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 3_000;

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { host, port, logger } = options;
  const router = new Router(logger);
  router.add({
    method: 'GET',
    path: '/health',
    handler: ({ res }) => healthRoute(res, options.health, logger),
  });
  for (const route of options.routes ?? []) router.add(route);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (options.guard) {
      // Same parse as the router: the base only serves to read the path.
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!options.guard(req, res, url)) return;
    }
    void router.handle(req, res);
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (options.onUpgrade) options.onUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  // A client error (bad request line, reset) must never take the server down.
  server.on('clientError', (err, socket) => {
    logger.debug('client error', { error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await listen(server, host, port);
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // Requests in flight get a moment to finish; then their sockets are cut
        // so a stuck client cannot hold up shutdown.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function healthRoute(
  res: Parameters<typeof sendJson>[0],
  health: () => Promise<HealthReport>,
  logger: ServerLogger,
): Promise<void> {
  let report: HealthReport & { error?: unknown };
  try {
    report = await health();
  } catch (err) {
    // A health check that throws is itself a finding: report down with the reason.
    const message = err instanceof Error ? err.message : String(err);
    logger.warn('health check failed', { error: message });
    report = {
      status: 'down',
      error: err instanceof NovaError ? err.toData() : { name: 'Error', code: 'INTERNAL', message },
    };
  }
  sendJson(res, report.status === 'down' ? 503 : 200, report);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): NovaError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new NovaError(
        'PORT_IN_USE',
        `Port ${port} on ${host} is already in use, so the server cannot listen on ${where}.`,
        {
          fix: `Choose another port with --port (or NOVA_PORT), e.g. --port ${port >= 65535 ? port - 1 : port + 1}, or stop the program using ${where}.`,
          cause: err,
        },
      );
    case 'EACCES':
      return new NovaError(
        'INVALID_ARGUMENT',
        `Not allowed to listen on ${where} (ports below 1024 need administrator rights).`,
        {
          fix: 'Choose a port above 1024 with --port (or NOVA_PORT).',
          cause: err,
        },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NovaError(
        'INVALID_ARGUMENT',
        `Cannot listen on ${where}: ${host} is not an address of this machine.`,
        {
          fix: 'Use --host 127.0.0.1 (loopback, the default) or an address this machine has.',
          cause: err,
        },
      );
    default:
      return new NovaError('INTERNAL', `Cannot listen on ${where}: ${err.message}.`, {
        cause: err,
      });
  }
}
