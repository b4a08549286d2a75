/**
 * Which failures mean "the server under this session went away or is no
 * longer the kind the URL asks for" — a primary shutting down (57P01), a
 * crash (57P02), a server still starting or recovering (57P03), a write on a
 * standby (25006), a lost socket — and the retryable FAILOVER error they
 * become when the store follows a replicated PostgreSQL. The store then
 * forgets the host it was using and finds the right one again.
 */
import { NovaError } from '../../errors.js';
import { sqlState } from './postgres-errors.js';

const SERVER_GONE = new Set(['57P01', '57P02', '57P03']);
const SOCKET_GONE = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/**
 * True for raw driver/server errors after which another host (or a fresh
 * connection) may succeed. A read-only refusal (25006) counts only where the
 * URL asks for a writable server: on a standby chosen on purpose it is the
 * caller's mistake, and finding the host again would pick the same one.
 */
export function isFailoverError(err: unknown, expectsWrites = true): boolean {
  if (err instanceof NovaError) return err.code === 'FAILOVER';
  const state = sqlState(err);
  if (state === '25006') return expectsWrites;
  if (state !== undefined) return SERVER_GONE.has(state) || state.startsWith('08');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return SOCKET_GONE.has(code);
  // pg's own code-less errors: "Connection terminated unexpectedly", its connect timer.
  // Parameter encoding errors (TypeError/RangeError) are the caller's, not the server's.
  return err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError);
}

function whatHappened(err: unknown): string {
  switch (sqlState(err)) {
    case '57P01':
      return 'is shutting down (SQLSTATE 57P01)';
    case '57P02':
      return 'crashed (SQLSTATE 57P02)';
    case '57P03':
      return 'is not accepting connections yet (SQLSTATE 57P03)';
    case '25006':
      return 'is read-only now, a standby rather than the primary (SQLSTATE 25006)';
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `closed the connection (${code})` : 'closed the connection';
}

/**
 * The FAILOVER error for a statement that failed on `where` because of `err`.
 * `phase` says whether the statement could have reached the server: a write
 * cut off while running may or may not have been committed.
 */
export function failoverError(
  err: unknown,
  where: string,
  phase: 'connect' | 'query',
  mapped: NovaError,
): NovaError {
  const outcome =
    phase === 'connect' || sqlState(err) === '25006'
      ? 'The statement did not run.'
      : 'The statement was cut off, so a write in it may or may not have been saved.';
  return new NovaError(
    'FAILOVER',
    `PostgreSQL at ${where} ${whatHappened(err)}; the primary may be failing over. ${outcome}`,
    {
      cause: mapped,
      fix: 'Retry the request: Nova looks for the primary among the hosts in POSTGRES_URL again and uses the new one as soon as it accepts writes (reads outside a transaction are retried once by themselves).',
    },
  );
}
