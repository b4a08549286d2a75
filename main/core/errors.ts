/**
 * Errors cross every boundary (IPC, HTTP, CLI, logs) as data with a stable
 * code, so callers branch on `code` and never on message text (docs/ARCHITECTURE.md#errors-as-data).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'SETTINGS_UNREADABLE'
  | 'DATA_DIR_NOT_WRITABLE'
  /** Another running Nova (its pid in the message) owns the data directory. */
  | 'DATA_DIR_IN_USE'
  | 'NOT_SQLITE'
  | 'DB_CORRUPT'
  | 'DB_LOCKED'
  | 'DB_READONLY'
  | 'DB_MISSING'
  | 'AUTH_FAILED'
  | 'CONN_REFUSED'
  | 'TIMEOUT'
  | 'TLS_FAILED'
  | 'PORT_IN_USE'
  | 'BINARY_MISSING'
  | 'QUERY_FAILED'
  | 'CONSTRAINT_VIOLATION'
  | 'NOT_INITIALIZED'
  | 'UNSUPPORTED_FILTER'
  | 'INVALID_ARGUMENT'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'SERVICE_UNAVAILABLE'
  /** A replicated server lost its primary role (or is being replaced) under a statement: retry it. */
  | 'FAILOVER'
  | 'TASK_CANCELLED'
  | 'BACKUP_NOT_FOUND'
  | 'BACKUP_CORRUPT'
  | 'BACKUP_PASSPHRASE'
  | 'BACKUP_FAILED'
  /** Another backup into the same folder is running (one at a time: backup-lock.ts). */
  | 'BACKUP_RUNNING'
  | 'RESTORE_FAILED'
  | 'CONFIRMATION_REQUIRED'
  /** A compiled module (better-sqlite3) cannot be loaded: wrong ABI, missing file, wrong platform. */
  | 'NATIVE_MODULE_FAILED'
  /** The single binary cannot unpack its bundled files into its cache directory. */
  | 'ASSET_CACHE_FAILED'
  /** This machine's disk is full (ENOSPC/EDQUOT) — never the database server's. */
  | 'DISK_FULL'
  /** The operating system refused a file operation (not the data directory: that is DATA_DIR_NOT_WRITABLE). */
  | 'PERMISSION_DENIED'
  | 'INTERNAL';

export interface ErrorData {
  name: string;
  code: ErrorCode;
  message: string;
  /** What a person can do about it, when we know. */
  fix?: string;
}

export class NovaError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, options: { fix?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NovaError';
    this.code = code;
    this.fix = options.fix;
  }

  toData(): ErrorData {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.fix ? { fix: this.fix } : {}),
    };
  }
}

export function isNovaError(err: unknown, code?: ErrorCode): err is NovaError {
  return err instanceof NovaError && (code === undefined || err.code === code);
}

/** Any thrown value as boundary-safe data; unknown errors become INTERNAL. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof NovaError) return err.toData();
  if (err instanceof Error) return { name: err.name, code: 'INTERNAL', message: err.message };
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}
