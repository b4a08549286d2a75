/**
 * One data dir, one owner. Two runtimes on the same data dir (a second
 * `serve`, or `serve` next to the desktop app) would each start the services,
 * write the settings and hold their own admin token — a rotation in one would
 * revoke nothing in the other. The owner holds `<data dir>/nova.lock`, a
 * private file naming its pid (and, once listening, its URL); a second
 * owner is refused with that pid. A lock whose pid is no longer running (a
 * crash, SIGKILL, power loss) is stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../errors.js';

export const LOCK_FILE = 'nova.lock';

export interface LockOwner {
  pid: number;
  /** `headless` (nova-db serve) or `desktop`. */
  mode: string;
  startedAt: string;
  /** Where a headless owner listens, once it does. */
  url?: string;
}

export interface DataDirLock {
  readonly file: string;
  /** Records where the owner listens, so `serve --rotate-token` can print the right login link. */
  setUrl(url: string): Promise<void>;
  release(): Promise<void>;
}

export function lockFile(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running owner of `dataDir`, or null when there is none (no lock, a stale one, or an unreadable one). */
export async function runningOwner(dataDir: string): Promise<LockOwner | null> {
  const owner = await readOwner(lockFile(dataDir));
  return owner && owner.pid !== process.pid && pidAlive(owner.pid) ? owner : null;
}

export async function acquireDataDirLock(dataDir: string, mode: string): Promise<DataDirLock> {
  const file = lockFile(dataDir);
  const me: LockOwner = { pid: process.pid, mode, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return held(file, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(dataDir, err);
    }
    const owner = await readOwner(file);
    if (owner && owner.pid !== process.pid && pidAlive(owner.pid)) throw inUse(dataDir, owner);
    // Stale (or half-written by an owner that died at once): replace it
    // atomically, then read back — of two processes taking over at the same
    // moment, only the one whose pid is in the file goes on.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(temp, JSON.stringify(me), { mode: 0o600 });
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw lockError(dataDir, err);
    }
    await new Promise((r) => setTimeout(r, 20));
    const now = await readOwner(file);
    if (now?.pid === process.pid) return held(file, me);
    if (now && pidAlive(now.pid)) throw inUse(dataDir, now);
  }
  throw inUse(dataDir, (await readOwner(file)) ?? { ...me, pid: -1 });
}

function held(file: string, me: LockOwner): DataDirLock {
  let released = false;
  return {
    file,
    async setUrl(url) {
      me.url = url;
      await writeFile(file, JSON.stringify(me), { mode: 0o600 });
    },
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: never delete one a later owner took over.
      if ((await readOwner(file))?.pid === me.pid) await unlink(file).catch(() => undefined);
    },
  };
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number'
      ? {
          pid: parsed.pid,
          mode: String(parsed.mode ?? 'unknown'),
          startedAt: String(parsed.startedAt ?? ''),
          ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
        }
      : null;
  } catch {
    return null;
  }
}

function inUse(dataDir: string, owner: LockOwner): NovaError {
  const what = owner.mode === 'desktop' ? 'the Nova DB desktop app' : 'nova-db serve';
  return new NovaError(
    'DATA_DIR_IN_USE',
    `The data directory ${dataDir} is already in use by ${what} (pid ${owner.pid}${owner.url ? `, serving ${owner.url}` : ''}); one data directory can have only one running Nova DB.`,
    {
      fix:
        owner.mode === 'desktop'
          ? `Quit the desktop app (pid ${owner.pid}) first, or choose another data directory with --data-dir.`
          : `Stop the running server (kill ${owner.pid}, or systemctl stop nova-db) first, or choose another data directory with --data-dir. For a new login link, nova-db serve --rotate-token works while it runs.`,
    },
  );
}

function lockError(dataDir: string, err: unknown): NovaError {
  return new NovaError(
    'DATA_DIR_NOT_WRITABLE',
    `Cannot create the lock file in ${dataDir}: ${(err as Error).message}.`,
    {
      fix: `Make ${dataDir} writable by this user, or choose another with --data-dir.`,
      cause: err,
    },
  );
}
