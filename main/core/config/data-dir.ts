/**
 * The data dir holds databases, settings, credentials and backups. It is
 * created private (0700) and proven writable up front, because finding out
 * on the first write — halfway through a migration or a backup — is worse.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../errors.js';

/** Creates `dir` (mode 0700) if missing and checks this process can write in it. */
export async function ensureWritableDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir succeeds silently on an existing directory but a file of that
    // name gives a confusing EEXIST or ENOTDIR; say it plainly.
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
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
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
