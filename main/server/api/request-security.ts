/**
 * Who may talk to the headless server (docs/ARCHITECTURE.md#security, #stable-interfaces):
 *
 * - Host: on a loopback bind only `127.0.0.1`, `localhost` and `[::1]` at our
 *   port are accepted. A web page that rebinds its own DNS name to 127.0.0.1
 *   (DNS rebinding) still sends its own name as Host, and is refused.
 * - Origin: a browser request that carries one must come from our own
 *   origin, so no other site can drive the API from a visitor's browser.
 * - Token: `/api/*` (and the event WebSocket under it) needs the per-install
 *   admin token as `Authorization: Bearer …`. `/health` and `/metrics` are
 *   open on a loopback bind and need the token on any other (docs/ARCHITECTURE.md#stable-interfaces). The
 *   UI's static files are public: they are the files shipped in the package
 *   and hold no data; everything they show comes through the API.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../loopback.js';
import type { AuthThrottle } from './auth-throttle.js';

export interface RequestPolicy {
  /** The address the server is bound to. */
  host: string;
  /** The port actually bound (known after listen; read lazily). */
  port: () => number;
  /** The current admin token (read per request, so a rotation applies at once). */
  token: () => string;
  /** 'https' when serving TLS: a browser's Origin then says https. Default 'http'. */
  scheme?: 'http' | 'https';
}

export type Verdict =
  | { ok: true }
  | { ok: false; status: 400 | 401 | 403 | 429; code: string; message: string; fix: string };

export { isLoopback };

/** Host headers this server answers to; null means any (a non-loopback bind, where the token is the gate). */
export function allowedHosts(policy: RequestPolicy): Set<string> | null {
  if (!isLoopback(policy.host)) return null;
  const port = policy.port();
  return new Set([
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
    `${bracket(policy.host)}:${port}`,
  ]);
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function checkHost(req: IncomingMessage, policy: RequestPolicy): Verdict {
  const host = req.headers.host?.toLowerCase();
  if (!host)
    return refuse(400, 'HOST_REQUIRED', 'The request has no Host header.', 'Send a Host header.');
  const allowed = allowedHosts(policy);
  if (allowed && !allowed.has(host)) {
    return refuse(
      403,
      'HOST_NOT_ALLOWED',
      `This server only answers to ${[...allowed][0]} (and localhost), not to "${host.slice(0, 100)}".`,
      `Open http://127.0.0.1:${policy.port()}/ directly.`,
    );
  }
  return { ok: true };
}

/** A request from a browser page must come from this server's own origin. */
export function checkOrigin(req: IncomingMessage, policy?: Pick<RequestPolicy, 'scheme'>): Verdict {
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true }; // not a cross-origin browser request (curl, scripts)
  const own = `${policy?.scheme ?? 'http'}://${req.headers.host?.toLowerCase() ?? ''}`;
  if (origin.toLowerCase() !== own) {
    return refuse(
      403,
      'ORIGIN_NOT_ALLOWED',
      `Requests from ${origin.slice(0, 100)} are not allowed; only the Nova UI served at ${own} may call this API.`,
      'Use the admin UI served by this server, or call the API without a browser.',
    );
  }
  return { ok: true };
}

/** The bearer token of `Authorization`, or of the WebSocket subprotocol list (browsers cannot set headers there). */
export function presentedToken(req: IncomingMessage, wsTokenPrefix?: string): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match ? match[1]! : null;
  }
  if (wsTokenPrefix) {
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const carrier = protocols.find((p) => p.startsWith(wsTokenPrefix));
    if (carrier) return carrier.slice(wsTokenPrefix.length);
  }
  return null;
}

export function checkToken(
  req: IncomingMessage,
  policy: RequestPolicy,
  wsTokenPrefix?: string,
): Verdict {
  const presented = presentedToken(req, wsTokenPrefix);
  if (presented === null) {
    return refuse(
      401,
      'AUTH_FAILED',
      'This API needs the admin token.',
      'Open the login link nova-db serve printed on first start (or run nova-db serve --rotate-token for a new one), or send Authorization: Bearer <token>.',
    );
  }
  if (!tokensEqual(presented, policy.token())) {
    return refuse(
      401,
      'AUTH_FAILED',
      'The admin token is not valid (it may have been rotated).',
      'Use the current token: run nova-db serve --rotate-token to get a new login link.',
    );
  }
  return { ok: true };
}

/**
 * checkToken with the per-source throttle: a source that sent too many wrong
 * tokens is refused (429) before its token is compared; each wrong token is
 * counted and logged (auth-throttle.ts). A missing token is not counted: a
 * browser tab opening the UI before logging in is not an attack.
 */
export function checkTokenThrottled(
  req: IncomingMessage,
  policy: RequestPolicy,
  throttle: AuthThrottle,
  what: string,
  wsTokenPrefix?: string,
): Verdict {
  const wait = throttle.blockedFor(req);
  if (wait > 0) {
    return refuse(
      429,
      'TOO_MANY_ATTEMPTS',
      `Too many wrong admin tokens came from this address; it is refused for another ${Math.ceil(wait / 1000)} s.`,
      'Wait, then use the current login link (nova-db serve --rotate-token prints a new one).',
    );
  }
  const verdict = checkToken(req, policy, wsTokenPrefix);
  if (verdict.ok) throttle.succeeded(req);
  else if (presentedToken(req, wsTokenPrefix) !== null) throttle.failed(req, what.slice(0, 100));
  return verdict;
}

/** Constant-time comparison; hashing first makes the lengths equal without revealing the real one. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Which paths need the token: the API always, health and metrics off loopback. */
export function needsToken(pathname: string, policy: RequestPolicy): boolean {
  if (pathname === '/api' || pathname.startsWith('/api/')) return true;
  if (pathname === '/health' || pathname === '/metrics') return !isLoopback(policy.host);
  return false;
}

function refuse(
  status: 400 | 401 | 403 | 429,
  code: string,
  message: string,
  fix: string,
): Verdict {
  return { ok: false, status, code, message, fix };
}
