/**
 * Why a migration run stopped, when the cause is the infrastructure and not
 * the data or a bug: the target PostgreSQL shut down, crashed or restarted
 * (SQLSTATE 57P01/57P02/57P03, a cut connection), its disk is full (53100),
 * or this machine's disk is full or a folder is refused (ENOSPC, EACCES,
 * SQLite's SQLITE_FULL for the job state). Each becomes a NovaError whose
 * fix says to run again with --resume, which finishes the job exactly:
 * every batch commits with its checkpoint (pg-job-state.ts), so nothing is
 * lost or doubled. Without this such failures reached the CLI as
 * "Unexpected error … This is a bug in Nova DB".
 *
 * Called once, on the error the run ends with, after the PostgreSQL
 * session's own explanation (pg-session.ts explainFailure) had its say.
 */
import { NovaError } from '../../errors.js';
import { localErrno, localFileError } from '../../local-fs-errors.js';
import { sqlState } from '../../stores/postgres/postgres-errors.js';
import type { MigrationPg } from './pg-session.js';

const RESUME =
  'run the same nova-db migrate command again with --resume: it carries on after the last committed batch, and nothing is lost or doubled.';

const SERVER_STATES: Record<string, string> = {
  '57P01': 'is shutting down (SQLSTATE 57P01)',
  '57P02': 'crashed (SQLSTATE 57P02)',
  '57P03': 'is starting up or shutting down and refuses sessions (SQLSTATE 57P03)',
};

/** Node errno codes of a connection that broke or could not be made. */
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED']);

/** SQLite result codes (better-sqlite3's SqliteError.code) of a disk that is full or refuses writes. */
function sqliteDiskCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (
    code === 'SQLITE_FULL' ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_READONLY')
  )
    return code;
  return undefined;
}

function serverLost(err: unknown, where: string, what: string): NovaError {
  return new NovaError(
    'SERVICE_UNAVAILABLE',
    `The migration stopped: PostgreSQL at ${where} ${what}.`,
    { fix: `Once PostgreSQL accepts connections again, ${RESUME}`, cause: err },
  );
}

/** Whether the server was (re)started after `since`: a fact, where pg's code-less errors carry none. */
async function restartedSince(pg: MigrationPg, since: Date): Promise<boolean | null> {
  try {
    const { rows } = await pg.pool.query<{ restarted: boolean }>(
      'SELECT pg_postmaster_start_time() > $1::timestamptz AS restarted',
      [since.toISOString()],
    );
    return rows[0]?.restarted === true;
  } catch {
    return null; // it does not answer: gone
  }
}

/** NovaError codes of a server that went away; their own fix does not know a resumable job. */
const CONNECTION_CODES = new Set(['SERVICE_UNAVAILABLE', 'CONN_REFUSED', 'TIMEOUT']);

export async function classifyRunFailure(
  err: unknown,
  context: { pg: MigrationPg | null; startedAt: Date },
): Promise<unknown> {
  if (err instanceof NovaError && err.code !== 'INTERNAL') {
    // A mapped driver error: classify what it wraps, when that is the infrastructure.
    const inner = err.cause;
    if (localErrno(inner) || sqliteDiskCode(inner)) return classifyLocal(inner) ?? err;
    const state = sqlState(inner);
    if (state !== undefined && isServerState(state)) return classifyRaw(inner, context);
    if (CONNECTION_CODES.has(err.code) && !err.fix?.includes('--resume')) {
      return new NovaError(err.code, `The migration stopped: ${err.message}`, {
        fix: `${err.fix ? `${err.fix} ` : ''}Then ${RESUME}`,
        cause: err,
      });
    }
    return err;
  }
  return classifyRaw(err, context);
}

function isServerState(state: string): boolean {
  return state === '53100' || state in SERVER_STATES || state.startsWith('08');
}

async function classifyRaw(
  err: unknown,
  context: { pg: MigrationPg | null; startedAt: Date },
): Promise<unknown> {
  const local = classifyLocal(err);
  if (local) return local;
  const where = context.pg ? `${context.pg.target.host}:${context.pg.target.port}` : 'the target';
  const state = sqlState(err);
  if (state === '53100') {
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `The migration stopped: the disk of the PostgreSQL server at ${where} is full (SQLSTATE 53100).`,
      {
        fix: `Free space on the database server's disk (or give it more), then ${RESUME}`,
        cause: err,
      },
    );
  }
  if (state !== undefined && isServerState(state)) {
    return serverLost(
      err,
      where,
      SERVER_STATES[state] ?? `closed the connection (SQLSTATE ${state})`,
    );
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_CODES.has(code))
    return serverLost(err, where, `closed the connection (${code})`);
  // pg reports a cut connection without any code; ask the server whether it restarted meanwhile.
  const programming = err instanceof TypeError || err instanceof RangeError;
  if (context.pg && err instanceof Error && !programming && typeof code !== 'string') {
    const restarted = await restartedSince(context.pg, context.startedAt);
    if (restarted === true) return serverLost(err, where, 'restarted during the migration');
    if (restarted === null) return serverLost(err, where, 'does not answer any more');
  }
  return err;
}

function classifyLocal(err: unknown): NovaError | null {
  const mapped = localFileError(err, "the migration's files", {
    then: `Then ${RESUME}`,
  });
  if (mapped) return mapped;
  const sqlite = sqliteDiskCode(err);
  if (!sqlite) return null;
  return new NovaError(
    sqlite === 'SQLITE_FULL' ? 'DISK_FULL' : 'PERMISSION_DENIED',
    sqlite === 'SQLITE_FULL'
      ? 'The migration could not write its job files: the disk holding the report folder on this machine is full (SQLITE_FULL).'
      : `The migration could not write its job files in the report folder on this machine (${sqlite}).`,
    {
      fix: `${sqlite === 'SQLITE_FULL' ? 'Free space on that disk' : 'Check that the disk is healthy and writable'}, then ${RESUME}`,
      cause: err,
    },
  );
}
