/**
 * The data dir holds databases, settings, credentials and backups. It is
 * created private (0700) and proven writable up front, because finding out
 * on the first write — halfway through a migration or a backup — is worse.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../errors.js';
import { tightenDir } from './private-files.js';

/** Creates `dir` (mode 0700) if missing and checks this process can write in it. */
export async function ensureWritableDataDir(dir: string): Promise<void> {
  try {
    await makeDirectories(path.resolve(dir), 0o700);
    // mkdir succeeds silently on an existing directory but a file of that
    // name gives a confusing EEXIST or ENOTDIR; say it plainly.
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    // An installer may have created it 0755: what is inside (credentials,
    // databases, legacy snapshots) is for this user only, so close it.
    await tightenDir(dir);
    const probe = path.join(
      dir,
      `.nova-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await unlink(probe);
  } catch (err) {
    throw new NovaError(
      'DATA_DIR_NOT_WRITABLE',
      `The data directory ${dir} is not writable: ${reason(err)}.`,
      {
        fix: `Choose another directory with --data-dir DIR or the NOVA_DATA_DIR environment variable, or make ${dir} writable by this user.`,
        cause: err,
      },
    );
  }
}

/**
 * `mkdir -p`, one level at a time from the nearest existing ancestor. Node's
 * own recursive mkdir never returns when a level cannot be created for a
 * reason other than a missing parent that it could create (under /proc, mkdir
 * says ENOENT although the parent exists, and Node retries forever).
 */
export async function makeDirectories(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!(await exists(at))) {
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing) {
    try {
      await mkdir(level, { mode });
    } catch (err) {
      // Created meanwhile by another process: fine.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOTDIR':
      return 'part of the path is a file, not a directory';
    case 'EEXIST':
      return 'it exists but is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOENT':
      return 'the file system does not allow creating it there';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
