/**
 * Failures of this machine's own file system (a full disk, a folder we may
 * not write, a read-only mount) as NovaErrors that say so. Without this they
 * surface through whatever was running at the time — a PostgreSQL session
 * streaming a dump into a file reports "Talking to PostgreSQL failed:
 * ENOSPC", a migration "Unexpected error" — and send the reader to the wrong
 * place. The errno decides, never the message text.
 */
import { NovaError } from './errors.js';

/** Errno codes that only ever come from local files (sockets never report them). */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
const DENIED = new Set(['EACCES', 'EPERM']);

interface ErrnoLike {
  code?: unknown;
  path?: unknown;
  syscall?: unknown;
  cause?: unknown;
}

/** The errno error inside `err` (itself, or a cause a wrapper kept), if it is a local file error. */
export function localErrno(err: unknown): (Error & { code: string; path?: string }) | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const { code, path, syscall, cause } = e as ErrnoLike;
    if (typeof code === 'string') {
      if (DISK_FULL.has(code) || code === 'EROFS') return e as Error & { code: string };
      // EACCES/EPERM also come from connect() (a unix socket) and kill(); a file error names its path.
      if (DENIED.has(code) && typeof path === 'string' && syscall !== 'connect')
        return e as Error & { code: string; path: string };
    }
    e = cause;
  }
  return null;
}

/**
 * A NovaError for a local file-system failure in `err`, or null when it is
 * something else. `what` says what was being written ("the backup"), `folder`
 * where, when the caller knows better than the error (a write stream's error
 * carries no path); `then` is appended to the fix (what to run afterwards).
 */
export function localFileError(
  err: unknown,
  what: string,
  options: { folder?: string; then?: string } = {},
): NovaError | null {
  const e = localErrno(err);
  if (!e) return null;
  const where = options.folder ?? e.path;
  const then = options.then ? ` ${options.then}` : '';
  if (DISK_FULL.has(e.code)) {
    return new NovaError(
      'DISK_FULL',
      `${capitalise(what)} could not be written: the disk${where ? ` holding ${where}` : ''} on this machine is full (${e.code}).`,
      {
        fix: `Free space on that disk, or use a folder on a disk with room.${then}`,
        cause: err,
      },
    );
  }
  if (e.code === 'EROFS') {
    return new NovaError(
      'PERMISSION_DENIED',
      `${capitalise(what)} could not be written: ${where ?? 'the folder'} is on a read-only file system.`,
      { fix: `Use a folder on a writable disk.${then}`, cause: err },
    );
  }
  return new NovaError(
    'PERMISSION_DENIED',
    `${capitalise(what)} could not be written: this machine refused access to ${e.path ?? where ?? 'a file'} (${e.code}).`,
    {
      fix: `Give the user running Nova DB access to that folder, or use another one.${then}`,
      cause: err,
    },
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
