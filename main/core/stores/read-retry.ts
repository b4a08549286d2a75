/**
 * One retry for reads cut off by a failover. When the PostgreSQL primary
 * goes away under a statement, the store finds the new one for the next
 * statement; a read that failed that way can simply run again, and the Nova
 * API never notices. Writes are never retried here (a cut-off write may have
 * committed: only the caller knows whether running it twice is safe), nor is
 * anything inside a transaction (the transaction is gone with its session) —
 * the DatabaseFactory and the legacy db's PostgreSQL driver call this only
 * outside one.
 */
import { isNovaError } from '../errors.js';
import { skipLiteralOrComment } from './sql-scan.js';

/** Errors after which the same read, sent again, reaches a working server. */
const RETRYABLE = ['FAILOVER', 'SERVICE_UNAVAILABLE'] as const;

const READ_START = /^(select|with|values|table|show)\b/;
/** Words that make a statement write, lock for later, or create something. */
const WRITE_WORD =
  /\b(insert|update|delete|merge|into|create|drop|alter|truncate|copy|call|do|lock|grant|revoke|refresh|vacuum|analyze|cluster|reindex|listen|notify|prepare|execute)\b/;
/** Built-in functions with side effects: running them twice is not the same as once. */
const SIDE_EFFECT_FUNCTION =
  /\b(nextval|setval|pg_advisory_\w+|pg_try_advisory_\w+|pg_notify|pg_terminate_backend|pg_cancel_backend|pg_promote|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_create_\w+|pg_drop_\w+|pg_replication_origin_\w+|set_config|lo_\w+|dblink\w*|txid_current|pg_current_xact_id)\s*\(/;

/** The statement with string literals, quoted identifiers and comments blanked out, lower-cased. */
function codeOnly(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const end = skipLiteralOrComment(sql, i, { dollarQuotes: true });
    if (end === -1) {
      out += sql[i];
      i += 1;
    } else {
      out += ' ';
      i = end;
    }
  }
  return out.toLowerCase();
}

/**
 * True for a single statement that only reads: SELECT / WITH / VALUES /
 * TABLE / SHOW without a data-changing clause (`WITH … DELETE`, `SELECT …
 * INTO`, `FOR UPDATE`) or a built-in function with side effects. A
 * function of the application's own that writes cannot be seen here.
 */
export function isIdempotentRead(sql: string): boolean {
  if (typeof sql !== 'string') return false;
  const code = codeOnly(sql).trim().replace(/;\s*$/, '');
  if (code.includes(';')) return false;
  if (!READ_START.test(code)) return false;
  if (WRITE_WORD.test(code) || SIDE_EFFECT_FUNCTION.test(code)) return false;
  return !/\bfor\s+(no\s+key\s+)?(update|share|key\s+share)\b/.test(code);
}

/**
 * A failure after which the same read may succeed: FAILOVER or a lost
 * connection, as a NovaError or as the legacy db's SQLite-shaped error,
 * which carries the NovaError's code as `novaCode`.
 */
export function isRetryableFailure(err: unknown): boolean {
  const novaCode = (err as { novaCode?: unknown } | null)?.novaCode;
  return (
    RETRYABLE.some((code) => isNovaError(err, code)) ||
    (typeof novaCode === 'string' && (RETRYABLE as readonly string[]).includes(novaCode))
  );
}

/** Runs `run`; when it is an idempotent read that failed over, runs it once more. */
export async function retryReadOnce<T>(sql: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isRetryableFailure(err) || !isIdempotentRead(sql)) throw err;
    return run();
  }
}
