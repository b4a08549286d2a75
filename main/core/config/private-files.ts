/**
 * Everything Nova writes under the data dir — databases, snapshots of the
 * legacy database (admin PINs, password hashes), reports, backups, service
 * files — is for this user only. Two layers make that hold on every path:
 *
 * - The process entries (CLI, single binary, desktop app) set the file mode
 *   creation mask to 077, so any file or directory created by this process
 *   or a child it starts (initdb, pg_dump, redis-server, SQLite's own
 *   journal/WAL files) is private, whatever library creates it.
 * - Code that writes the most sensitive files also asks for 0700/0600
 *   itself (`makePrivateDir`, `createPrivateFile`), so it stays private when
 *   it runs inside a host that did not set the mask (tests, embedders).
 */
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';

export const PRIVATE_UMASK = 0o077;
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Sets this process's file mode creation mask to 077. Worker threads may not
 * change it (Node refuses); they inherit their process's mask instead.
 */
export function usePrivateFileModes(): void {
  try {
    process.umask(PRIVATE_UMASK);
  } catch {
    // ERR_WORKER_UNSUPPORTED_OPERATION: the explicit modes below still apply.
  }
}

/**
 * `mkdir -p dir` with 0700, and tightens `dir` itself when it already existed
 * readable or writable by others and belongs to this user (a directory someone else owns,
 * chosen on purpose, e.g. a shared `--report` folder, is left as it is).
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await tightenDir(dir);
}

/**
 * Takes read and write away from group and other on a directory of this
 * user. Traverse-only permission (x without r) is kept: it lets nobody list
 * or change the folder, and it is how the PostgreSQL server's own OS user
 * reaches its cluster inside the data dir when Nova runs as root
 * (services/native/os-user.ts grants it).
 */
export async function tightenDir(dir: string): Promise<void> {
  const info = await stat(dir);
  if ((info.mode & 0o066) !== 0 && info.uid === process.geteuid?.())
    await chmod(dir, PRIVATE_DIR_MODE | (info.mode & 0o011));
}

/** Creates (or empties) `file` as 0600 before anything is written into it. */
export async function createPrivateFile(file: string): Promise<void> {
  await writeFile(file, '', { mode: PRIVATE_FILE_MODE });
  await chmod(file, PRIVATE_FILE_MODE);
}
