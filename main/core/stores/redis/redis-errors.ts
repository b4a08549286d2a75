/**
 * Turns ioredis errors into NovaErrors that name `host:port` and say what to
 * do. ioredis rejects a failed connect() with a bare "Connection is closed.",
 * so the cache keeps the last 'error' event and classifies that instead.
 */
import { redactUrlPasswords } from '../../config/redact.js';
import { NovaError } from '../../errors.js';

/** `host:port` of a redis:// URL (default port 6379). */
export function redisHostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'the configured host';
  }
}

const START_FIX =
  'Start Redis (redis-server, or the Nova Redis service) or correct the host and port in REDIS_URL; the cache reconnects by itself.';

export function isAuthError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message);
}

/** A short reason for health detail: the error code (e.g. "ECONNREFUSED") or the first line of the message. */
export function shortReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const message = redactUrlPasswords(err instanceof Error ? err.message : String(err));
  return message.split('\n')[0]!.slice(0, 120);
}

export function mapRedisError(err: unknown, url: string, action: string): NovaError {
  if (err instanceof NovaError) return err;
  const where = `Redis at ${redisHostPort(url)}`;
  const message = redactUrlPasswords(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (isAuthError(err)) {
    return new NovaError(
      'AUTH_FAILED',
      `${where} rejected the credentials (${message.split('.')[0]}).`,
      {
        fix: 'Put the password Redis expects in REDIS_URL (redis://:PASSWORD@host:6379, or redis://USER:PASSWORD@… with ACL users).',
        cause: err,
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${action}: ${where} refused the connection (ECONNREFUSED).`,
      { fix: START_FIX, cause: err },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${action}: the host of ${where} cannot be resolved (${code}).`,
      { fix: 'Correct the host name in REDIS_URL.', cause: err },
    );
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return new NovaError('TIMEOUT', `Cannot ${action}: ${where} did not answer in time.`, {
      fix: 'Check that Redis is running and reachable (firewall, host, port), or raise REDIS_CONNECT_TIMEOUT_MS.',
      cause: err,
    });
  }
  if (/certificate|SSL|TLS|EPROTO|self[- ]signed/i.test(`${message} ${String(code)}`)) {
    return new NovaError(
      'TLS_FAILED',
      `Cannot ${action}: the TLS handshake with ${where} failed (${message}).`,
      {
        fix: 'Set REDIS_TLS_CA to the CA that signed the server certificate, or use redis:// for a server without TLS.',
        cause: err,
      },
    );
  }
  return new NovaError(
    'SERVICE_UNAVAILABLE',
    `Cannot ${action}: ${where} is unavailable (${message}).`,
    { fix: START_FIX, cause: err },
  );
}
