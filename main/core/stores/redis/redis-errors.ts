/**
 * Turns ioredis errors into NovaErrors that name `host:port` and say what to
 * do. ioredis rejects a failed connect() with a bare "Connection is closed.",
 * so the cache keeps the last 'error' event and classifies that instead.
 */
import { redactSecrets } from '../../config/redact.js';
import { NovaError } from '../../errors.js';

/** `host:port` of a redis:// URL (default port 6379); a Sentinel or Cluster label is returned as it is. */
export function redisHostPort(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'the configured host';
  }
}

const startFix = (setting: string): string =>
  setting === 'REDIS_URL'
    ? 'Start Redis (redis-server, or the Nova Redis service) or correct the host and port in REDIS_URL; the cache reconnects by itself.'
    : `Start the Redis servers or correct the host:port list in ${setting}; the cache reconnects by itself.`;

export function isAuthError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message);
}

/** A short reason for health detail: the error code (e.g. "ECONNREFUSED") or the first line of the message. */
export function shortReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  return message.split('\n')[0]!.slice(0, 120);
}

/**
 * `url` is REDIS_URL, or the label of a Sentinel/Cluster deployment;
 * `setting` is what a fix should tell people to correct.
 */
export function mapRedisError(
  err: unknown,
  url: string,
  action: string,
  setting = 'REDIS_URL',
): NovaError {
  if (err instanceof NovaError) return err;
  const where = `Redis at ${redisHostPort(url)}`;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (isAuthError(err)) {
    return new NovaError(
      'AUTH_FAILED',
      `${where} rejected the credentials (${message.split('.')[0]}).`,
      {
        fix:
          setting === 'REDIS_URL'
            ? 'Put the password Redis expects in REDIS_URL (redis://:PASSWORD@host:6379, or redis://USER:PASSWORD@… with ACL users).'
            : 'Set REDIS_PASSWORD (and REDIS_USERNAME with ACL users) to what the Redis servers expect; REDIS_SENTINEL_PASSWORD for sentinels with their own password.',
        cause: err,
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${action}: ${where} refused the connection (ECONNREFUSED).`,
      { fix: startFix(setting), cause: err },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${action}: the host of ${where} cannot be resolved (${code}).`,
      { fix: `Correct the host name in ${setting}.`, cause: err },
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
        fix:
          setting === 'REDIS_URL'
            ? 'Set REDIS_TLS_CA to the CA that signed the server certificate, or use redis:// for a server without TLS.'
            : 'Set REDIS_TLS_CA to the CA that signed the server certificates, or REDIS_TLS=false for servers without TLS.',
        cause: err,
      },
    );
  }
  return new NovaError(
    'SERVICE_UNAVAILABLE',
    `Cannot ${action}: ${where} is unavailable (${message}).`,
    { fix: startFix(setting), cause: err },
  );
}
