/**
 * Loads the SQLite engine once, up front, so a module built for the wrong
 * runtime is reported before anything starts (the desktop app's dialog,
 * `nova-db serve`) instead of failing deep inside the first query. The
 * classification lives in sqlite-engine-error.ts.
 */
import Database from 'better-sqlite3';
import { NovaError } from './errors.js';
import { sqliteEngineError, type EngineHost } from './sqlite-engine-error.js';

export type { EngineHost } from './sqlite-engine-error.js';

/** Undefined when the engine loads; otherwise why not, as a NATIVE_MODULE_FAILED NovaError (or the error the loader gave, when it is already a NovaError). */
export function checkSqliteEngine(
  host: EngineHost,
  load: () => void = () => new Database(':memory:').close(),
): NovaError | undefined {
  try {
    load();
    return undefined;
  } catch (err) {
    const known = sqliteEngineError(err, host);
    if (known) return known;
    if (err instanceof NovaError) return err;
    throw err;
  }
}
