/**
 * Connection URLs given to `migrate`. A URL on the command line is visible
 * to every user of the machine (`ps`, /proc/<pid>/cmdline) for the whole run,
 * so a password in it earns a warning; `--postgres-url-file` /
 * `--mongo-url-file` read the URL from a file instead (or leave the flags out:
 * POSTGRES_URL / MONGODB_URL come from the environment or .env).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { redactSecrets } from '../../core/config/redact.js';
import { NovaError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** True when `url` carries a secret (the one redaction function would mask something). */
export function urlHasPassword(url: string): boolean {
  return redactSecrets(url) !== url;
}

/**
 * The URL for one target: from `--<flag>` (with a warning when it holds a
 * password) or from `--<flag>-file` (first non-empty line; a warning when
 * the file is readable by others). Undefined when neither is given.
 */
export async function resolveUrlOption(
  flag: string,
  inline: string | undefined,
  file: string | undefined,
  cwd: string,
  logger: Pick<Logger, 'warn'>,
): Promise<string | undefined> {
  if (inline !== undefined && file !== undefined) {
    throw new NovaError('INVALID_ARGUMENT', `Give ${flag} or ${flag}-file, not both.`, {
      fix: `Keep ${flag}-file FILE (the URL stays out of the process list) and drop ${flag}.`,
    });
  }
  if (inline !== undefined) {
    if (urlHasPassword(inline)) {
      logger.warn(
        `${flag} carries a password, which other users of this machine can read in the process list for as long as this command runs; use ${flag}-file FILE, or the environment / .env, instead`,
      );
    }
    return inline;
  }
  if (file === undefined) return undefined;
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot read ${flag}-file ${full} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      { fix: `Check the path given to ${flag}-file and that this user may read it.`, cause: err },
    );
  }
  const url = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!url) {
    throw new NovaError('INVALID_ARGUMENT', `${flag}-file ${full} holds no URL (it is empty).`, {
      fix: `Write the connection URL on the first line of ${full}.`,
    });
  }
  if (/\s/.test(url) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Not quoted back: the file may hold anything, including a secret.
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${flag}-file ${full} does not hold a connection URL on its first line.`,
      { fix: `Write only the URL (e.g. postgres://user:password@host:5432/db) in ${full}.` },
    );
  }
  if (((await stat(full)).mode & 0o077) !== 0) {
    logger.warn(
      `${flag}-file ${full} can be read by other users; make it private: chmod 600 ${full}`,
    );
  }
  return url;
}
