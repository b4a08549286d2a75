/**
 * Method + path routing for the headless server, and the JSON responses
 * every route shares. Routes are data (a table) so later features — the
 * token-protected /api, /metrics — add entries instead of editing a switch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NovaError, toErrorData, type ErrorCode } from '../core/errors.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, e.g. `/health`. */
  path: string;
  handler: RouteHandler;
}

/**
 * Headers on every response: nothing here is meant to be sniffed, cached,
 * framed or to load anything. The UI routes, when added, set their own CSP.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Errors as data, the shape every client branches on: `{ error: { name, code, message, fix? } }`. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: { name?: string; code: ErrorCode | string; message: string; fix?: string },
): void {
  sendJson(res, status, { error: { name: error.name ?? 'NovaError', ...error } });
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  CONFIG_INVALID: 400,
  UNSUPPORTED_FILTER: 400,
  AUTH_FAILED: 401,
  BACKUP_RUNNING: 409,
  DISK_FULL: 507,
  SERVICE_UNAVAILABLE: 503,
  FAILOVER: 503,
  NOT_INITIALIZED: 503,
};

/** The part of the logger the router needs. */
export interface RouterLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly logger?: RouterLogger) {}

  add(route: Route): this {
    this.routes.push(route);
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The base is only used to parse the path; Host is client-controlled and never trusted.
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const forPath = this.routes.filter((r) => r.path === url.pathname);
    const route = forPath.find(
      (r) => r.method === method || (method === 'HEAD' && r.method === 'GET'),
    );
    if (!route) {
      if (forPath.length) {
        res.setHeader('Allow', [...new Set(forPath.map((r) => r.method))].join(', '));
        sendError(res, 405, {
          code: 'METHOD_NOT_ALLOWED',
          message: `${method} is not supported on ${url.pathname}.`,
        });
      } else {
        sendError(res, 404, {
          code: 'NOT_FOUND',
          message: `No route for ${method} ${url.pathname}.`,
        });
      }
      return;
    }
    try {
      await route.handler({ req, res, url });
    } catch (err) {
      this.handlerFailed(res, method, url.pathname, err);
    }
  }

  private handlerFailed(res: ServerResponse, method: string, pathname: string, err: unknown): void {
    if (err instanceof NovaError) {
      const status = STATUS_BY_CODE[err.code] ?? 500;
      if (status >= 500)
        this.logger?.error(`${method} ${pathname} failed`, { code: err.code, error: err.message });
      if (!res.headersSent) sendJson(res, status, { error: err.toData() });
      else res.destroy();
      return;
    }
    // An unexpected error is a bug: log it in full, tell the client only that it happened.
    this.logger?.error(`${method} ${pathname} failed`, {
      error: toErrorData(err).message,
      stack: err instanceof Error ? err.stack : undefined,
    });
    if (!res.headersSent)
      sendError(res, 500, {
        name: 'Error',
        code: 'INTERNAL',
        message: 'Internal error; see the server log.',
      });
    else res.destroy();
  }
}
