/**
 * The text of the one dialog the desktop app shows when it cannot start at
 * all (today: the SQLite engine does not load; see
 * main/core/sqlite-engine-error.ts), and the same words for stderr. Pure, so
 * it is tested without Electron; index.ts only shows it.
 */
import type { ErrorData } from '../core/errors.js';

export interface StartupFailureText {
  title: string;
  body: string;
  /** What goes to stderr, in the CLI's `nova-db: … / fix: …` form. */
  stderr: string;
}

export function startupFailureText(error: Pick<ErrorData, 'message' | 'fix'>): StartupFailureText {
  return {
    title: 'Nova DB cannot start',
    body: error.fix ? `${error.message}\n\nHow to fix it: ${error.fix}` : error.message,
    stderr: `nova-db: ${error.message}\n${error.fix ? `fix: ${error.fix}\n` : ''}`,
  };
}
