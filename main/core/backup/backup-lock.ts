/**
 * One backup run at a time per backup folder. Two runs at once each clean
 * "stale" folders, list and delete old backups (retention), and so trip
 * over each other's renames: ten quick "back up now" clicks used to end in
 * eight runs reported failed although their backups were fine. A run now
 * holds `<backupDir>/.backup.lock` (created exclusively, 0600, naming its
 * pid) from its first step to its retention; another run — in this process
 * or another one — is refused with BACKUP_RUNNING. A lock whose process is
 * gone (kill -9, power cut) is taken over, exactly as stale partial folders
 * are (backup-store.ts isStalePartial).
 */
import { hostname } from 'node:os';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../errors.js';
import { ensureBackupDir, isStalePartial } from './backup-store.js';

export const LOCK_FILE = '.backup.lock';

interface LockOwner {
  pid: number | null;
  host: string | null;
  startedAt: string | null;
}

async function readOwner(file: string): Promise<LockOwner> {
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    return {
      pid: typeof raw.pid === 'number' ? raw.pid : null,
      host: typeof raw.host === 'string' ? raw.host : null,
      startedAt: typeof raw.startedAt === 'string' ? raw.startedAt : null,
    };
  } catch {
    // Unreadable or half-written: its writer died between create and write.
    return { pid: null, host: null, startedAt: null };
  }
}

function running(owner: LockOwner, backupDir: string): NovaError {
  const who =
    owner.pid === process.pid
      ? 'this Nova DB'
      : `process ${owner.pid ?? '?'}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ''}`;
  return new NovaError(
    'BACKUP_RUNNING',
    `A backup into ${backupDir} is already running (${who}, since ${owner.startedAt ?? 'an unknown time'}).`,
    { fix: 'Wait for it to finish; it is a complete backup of the same data.' },
  );
}

/** Takes the lock of `backupDir` or throws BACKUP_RUNNING; returns its release. */
export async function acquireBackupLock(backupDir: string): Promise<() => Promise<void>> {
  await ensureBackupDir(backupDir);
  const file = path.join(backupDir, LOCK_FILE);
  const mine = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, mine, { flag: 'wx', mode: 0o600 });
      return async () => {
        // Only remove it while it is still ours (a takeover after a long stall replaced it).
        if ((await readFile(file, 'utf8').catch(() => '')) === mine)
          await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    // An empty lock may be one being written this instant (open and write are two steps).
    const fresh = await stat(file).then(
      (s) => Date.now() - s.mtimeMs < 10_000,
      () => false,
    );
    if (owner.pid === null && fresh) throw running(owner, backupDir);
    // Our own pid is alive by definition: another run of this process holds it.
    if (owner.pid === process.pid || !isStalePartial(owner)) throw running(owner, backupDir);
    await rm(file, { force: true });
  }
  throw running(await readOwner(file), backupDir);
}

export async function withBackupLock<T>(backupDir: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquireBackupLock(backupDir);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
