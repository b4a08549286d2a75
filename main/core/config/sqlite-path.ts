/** The embedded SQLite database file: SQLITE_FILE when set, else `<data dir>/nova.sqlite`. */
import path from 'node:path';
import type { NovaConfig } from './schema.js';

export const DEFAULT_SQLITE_FILE_NAME = 'nova.sqlite';

export function resolveSqliteFile(
  config: Pick<NovaConfig, 'SQLITE_FILE' | 'NOVA_DATA_DIR'>,
): string {
  return config.SQLITE_FILE
    ? path.resolve(config.NOVA_DATA_DIR, config.SQLITE_FILE)
    : path.join(config.NOVA_DATA_DIR, DEFAULT_SQLITE_FILE_NAME);
}
