/** What every service's part code (SQLite, PostgreSQL, MongoDB) takes and returns. */

/** Options of one part's backup, restore or trial restore. */
export interface PartJobOptions {
  /** The backup's key, when it is encrypted. */
  key?: Buffer;
  signal?: AbortSignal;
  /** Called with the table, collection or stage being worked on. */
  onProgress?: (item: string, done: number, total: number | null) => void;
}

/**
 * A restore that is ready to apply: everything slow and fallible is done,
 * the live data is untouched. The restore commits every staged service only
 * when all of them staged, and discards them all otherwise.
 */
export interface StagedRestore {
  /** What will be replaced, for messages ("PostgreSQL 127.0.0.1:5432/nova"). */
  target: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}
