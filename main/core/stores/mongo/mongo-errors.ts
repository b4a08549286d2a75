/**
 * Maps MongoDB driver errors to NovaError codes with messages a person can act
 * on. Connection URLs are redacted everywhere they appear: a password must
 * never reach a log, a toast or an error report.
 */
import { MongoError, MongoServerError } from 'mongodb';
import { redactSecrets } from '../../config/redact.js';
import { NovaError, isNovaError } from '../../errors.js';

/** The `host:port` list of a MongoDB URL, for messages ("127.0.0.1:27017"). */
export function mongoHosts(url: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(url);
  const hosts = match?.[1] ?? '';
  if (hosts === '') return 'the configured host';
  return hosts
    .split(',')
    .map((h) => (/:\d+$/.test(h) || url.startsWith('mongodb+srv:') ? h : `${h}:27017`))
    .join(',');
}

export interface MongoErrorContext {
  url: string;
  /** What we were doing, e.g. `insert into "sessions"`. */
  action: string;
}

interface WriteErrorLike {
  code?: number;
  errmsg?: string;
  index?: number;
}

function codeOf(err: unknown): number | undefined {
  if (err instanceof MongoServerError && typeof err.code === 'number') return err.code;
  if (err instanceof MongoError && typeof err.code === 'number') return err.code;
  const writeErrors = (err as { writeErrors?: WriteErrorLike[] | WriteErrorLike } | null)
    ?.writeErrors;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  return typeof first?.code === 'number' ? first.code : undefined;
}

/** The message of the error and its causes, for recognising network conditions. */
function causeText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 5; depth += 1) {
    parts.push(cur.message, String((cur as { code?: unknown }).code ?? ''));
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}

function errmsgOf(err: unknown): string {
  const writeErrors = (err as { writeErrors?: WriteErrorLike[] | WriteErrorLike } | null)
    ?.writeErrors;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  return redactSecrets(first?.errmsg ?? (err instanceof Error ? err.message : String(err)));
}

/** Maps one write error's code (duplicate key, validation) the same way for single and bulk writes. */
export function mapWriteErrorCode(
  code: number | undefined,
): 'CONSTRAINT_VIOLATION' | 'INVALID_ARGUMENT' | 'QUERY_FAILED' {
  if (code === 11000 || code === 11001) return 'CONSTRAINT_VIOLATION';
  if (code === 121) return 'INVALID_ARGUMENT';
  return 'QUERY_FAILED';
}

export function mapMongoError(err: unknown, ctx: MongoErrorContext): NovaError {
  if (isNovaError(err)) return err;
  const hosts = mongoHosts(ctx.url);
  const where = `MongoDB at ${hosts}`;
  const code = codeOf(err);
  const name = err instanceof Error ? err.name : '';
  const text = causeText(err);

  if (code === 11000 || code === 11001) {
    return new NovaError(
      'CONSTRAINT_VIOLATION',
      `Cannot ${ctx.action}: duplicate key (${errmsgOf(err)}).`,
      {
        fix: 'A document with the same unique key already exists; update it instead, or change the key.',
        cause: err,
      },
    );
  }
  if (code === 121) {
    return new NovaError(
      'INVALID_ARGUMENT',
      `Cannot ${ctx.action}: the document failed the collection's schema validation (${errmsgOf(err)}).`,
      {
        fix: 'Check the required fields and their types in docs/schema.md ("MongoDB collections") of nova-database-appliance (e.g. user_preferences.user_id must be an integer).',
        cause: err,
      },
    );
  }
  if (code === 18 || /AuthenticationFailed|Authentication failed/i.test(text)) {
    return new NovaError(
      'AUTH_FAILED',
      `${where} rejected the credentials in MONGODB_URL ${redactSecrets(ctx.url)}.`,
      {
        fix: 'Check the user name and password in MONGODB_URL (and authSource, usually "admin").',
        cause: err,
      },
    );
  }
  if (code === 13) {
    return new NovaError(
      'AUTH_FAILED',
      `Cannot ${ctx.action}: the MongoDB user is not allowed to (${errmsgOf(err)}).`,
      {
        fix: 'Grant the user the readWrite and dbAdmin roles on the Nova database.',
        cause: err,
      },
    );
  }
  if (/ECONNREFUSED/.test(text)) {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${ctx.action}: ${where} refused the connection (nothing is listening there).`,
      {
        fix: 'Start MongoDB (or the Nova service for it) or correct the host and port in MONGODB_URL.',
        cause: err,
      },
    );
  }
  if (/certificate|SSL|TLS|self[- ]signed|EPROTO/i.test(text) && /Network|Selection/.test(name)) {
    return new NovaError(
      'TLS_FAILED',
      `Cannot ${ctx.action}: the TLS handshake with ${where} failed (${redactSecrets(text.trim())}).`,
      {
        fix: 'Set MONGODB_TLS_CA to the CA that signed the server certificate, or MONGODB_TLS=false for a server without TLS.',
        cause: err,
      },
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) {
    return new NovaError(
      'CONN_REFUSED',
      `Cannot ${ctx.action}: the host of ${where} cannot be resolved.`,
      {
        fix: 'Correct the host name in MONGODB_URL.',
        cause: err,
      },
    );
  }
  if (
    name === 'MongoServerSelectionError' ||
    name === 'MongoNetworkTimeoutError' ||
    /timed out|ETIMEDOUT/i.test(text)
  ) {
    return new NovaError('TIMEOUT', `Cannot ${ctx.action}: ${where} did not answer in time.`, {
      fix: 'Check that MongoDB is running and reachable (firewall, host, port), or raise MONGODB_CONNECT_TIMEOUT_MS.',
      cause: err,
    });
  }
  if (
    name === 'MongoNetworkError' ||
    name === 'MongoTopologyClosedError' ||
    name === 'MongoNotConnectedError'
  ) {
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `Cannot ${ctx.action}: the connection to ${where} was lost (${redactSecrets(text.trim())}).`,
      {
        fix: 'Check that MongoDB is still running; the store reconnects by itself when it is back.',
        cause: err,
      },
    );
  }
  const badUrl =
    name === 'MongoParseError' || name === 'MongoInvalidArgumentError' || name === 'MongoAPIError';
  if (badUrl || (name === 'MongoRuntimeError' && /parse/i.test(text))) {
    return new NovaError(
      'CONFIG_INVALID',
      `MONGODB_URL ${redactSecrets(ctx.url)} is not usable: ${redactSecrets(err instanceof Error ? err.message : String(err))}.`,
      {
        fix: 'Write it as mongodb://user:password@host:27017/nova (percent-encode special characters in the password).',
        cause: err,
      },
    );
  }
  const codeName = err instanceof MongoServerError && err.codeName ? ` ${err.codeName}` : '';
  return new NovaError(
    'QUERY_FAILED',
    `Cannot ${ctx.action}: MongoDB error${code === undefined ? '' : ` ${code}`}${codeName}: ${errmsgOf(err)}.`,
    {
      cause: err,
    },
  );
}
