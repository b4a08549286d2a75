/**
 * The backup folder on disk. A backup is `<backupDir>/<timestamp>-<id>/`,
 * written first as `.<name>.partial/` and renamed only after its manifest
 * (written last, fsynced) is in place — so a backup interrupted at any point,
 * even by SIGKILL or a power cut, is never listed as good. Listing ignores
 * dot-folders and folders without a valid manifest; a partial folder whose
 * writer is gone is reported as stale and removed by `cleanStalePartials`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NovaError, isNovaError, toErrorData, type ErrorData } from '../errors.js';
import { fsyncDir, fsyncPath } from './part-files.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';

export const OWNER_FILE = 'owner.json';
export const VERIFIED_FILE = 'verified.json';
const PARTIAL = /^\.(.+)\.partial$/;
const DELETING = /^\.(.+)\.deleting$/;

/** `2025-01-31T12:00:00.000Z` → `20250131T120000Z`: sortable and valid on every file system. */
export function timestampName(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function newBackupId(): string {
  return randomBytes(4).toString('hex');
}

/** Creates the backup directory (0700: backups hold every secret of the database). */
export async function ensureBackupDir(backupDir: string): Promise<void> {
  try {
    await mkdir(backupDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new NovaError(
      'BACKUP_FAILED',
      `Cannot create the backup folder ${backupDir}: ${(err as Error).message}`,
      {
        fix: 'Set NOVA_BACKUP_DIR (or --out) to a folder Nova can write to.',
        cause: err,
      },
    );
  }
}

/** A backup being written. Call `commit` last, or `discard` on failure. */
export interface PartialBackup {
  name: string;
  /** The `.partial` folder parts are written into. */
  dir: string;
  /** Where the backup will be once committed. */
  finalDir: string;
  commit(manifest: Manifest): Promise<string>;
  discard(): Promise<void>;
}

export async function startPartialBackup(backupDir: string, name: string): Promise<PartialBackup> {
  await ensureBackupDir(backupDir);
  const dir = path.join(backupDir, `.${name}.partial`);
  const finalDir = path.join(backupDir, name);
  await mkdir(dir, { mode: 0o700 });
  // Who is writing it: lets a later run tell a live writer from a dead one.
  const owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
  return {
    name,
    dir,
    finalDir,
    commit: async (manifest) => {
      const file = path.join(dir, MANIFEST_FILE);
      await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await fsyncPath(file);
      await rm(path.join(dir, OWNER_FILE), { force: true });
      await fsyncDir(dir);
      await rename(dir, finalDir);
      await fsyncDir(backupDir);
      return finalDir;
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}

const verifiedSchema = z.object({
  at: z.iso.datetime(),
  /** The manifest this record vouches for; a replaced manifest voids it. */
  manifestChecksum: z.string(),
  /** Trial restores ran for every part (not only checksums and decryption). */
  trialRestored: z.boolean(),
});
export type VerifiedRecord = z.infer<typeof verifiedSchema>;

/** Records a successful verify next to the manifest (written atomically). */
export async function writeVerified(backupPath: string, record: VerifiedRecord): Promise<void> {
  const tmp = path.join(backupPath, `.${VERIFIED_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
  await fsyncPath(tmp);
  await rename(tmp, path.join(backupPath, VERIFIED_FILE));
}

async function readVerified(
  backupPath: string,
  manifest: Manifest,
): Promise<VerifiedRecord | null> {
  try {
    const parsed = verifiedSchema.safeParse(
      JSON.parse(await readFile(path.join(backupPath, VERIFIED_FILE), 'utf8')),
    );
    return parsed.success && parsed.data.manifestChecksum === manifest.checksum
      ? parsed.data
      : null;
  } catch {
    return null;
  }
}

/** A complete backup: its folder has a valid manifest. */
export interface BackupEntry {
  name: string;
  path: string;
  manifest: Manifest;
  /** Last successful verify, if any (and still matching this manifest). */
  verified: VerifiedRecord | null;
  /** Bytes of all parts. */
  bytes: number;
}

export interface PartialEntry {
  name: string;
  path: string;
  pid: number | null;
  host: string | null;
  startedAt: string | null;
  /** The writer is gone: this folder will never become a backup. */
  stale: boolean;
}

export interface BackupListing {
  /** Complete backups, newest first. */
  backups: BackupEntry[];
  /** Folders that look like backups but are not valid ones (never counted as good). */
  invalid: { name: string; path: string; error: ErrorData }[];
  partials: PartialEntry[];
}

/**
 * Reads a backup folder and proves its manifest is intact. Throws
 * BACKUP_NOT_FOUND when there is no backup at `backupPath`, BACKUP_CORRUPT
 * when its manifest is damaged.
 */
export async function readBackup(backupPath: string): Promise<BackupEntry> {
  const where = `the backup at ${backupPath}`;
  let text: string;
  try {
    text = await readFile(path.join(backupPath, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const exists = await stat(backupPath).then(
      (s) => s.isDirectory(),
      () => false,
    );
    throw new NovaError(
      exists ? 'BACKUP_CORRUPT' : 'BACKUP_NOT_FOUND',
      exists
        ? `${backupPath} has no readable ${MANIFEST_FILE} (${code ?? (err as Error).message}), so it is not a complete backup.`
        : `There is no backup at ${backupPath}.`,
      {
        fix: exists
          ? 'An interrupted or damaged backup cannot be used; pick another one (nova-db backups lists them).'
          : 'Give the path of a backup folder; nova-db backups lists them.',
        cause: err,
      },
    );
  }
  const manifest = parseManifest(text, where);
  return {
    name: path.basename(backupPath),
    path: backupPath,
    manifest,
    verified: await readVerified(backupPath, manifest),
    bytes: manifest.parts.reduce((sum, p) => sum + p.bytes, 0),
  };
}

/** A writer on another machine (shared folder) cannot be probed; after this long it is presumed dead. */
const FOREIGN_PARTIAL_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Whether the writer of a partial folder is gone, so the folder will never become a backup. */
export function isStalePartial(
  owner: { pid: number | null; host: string | null; startedAt: string | null },
  now: Date = new Date(),
): boolean {
  if (owner.pid === null) return true;
  if (owner.host !== hostname()) {
    const started = owner.startedAt ? Date.parse(owner.startedAt) : NaN;
    return !(now.getTime() - started < FOREIGN_PARTIAL_MAX_AGE_MS);
  }
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — alive.
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

async function readPartial(dir: string, name: string): Promise<PartialEntry> {
  let owner: { pid?: unknown; host?: unknown; startedAt?: unknown } = {};
  try {
    owner = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as typeof owner;
  } catch {
    // No owner file: the writer died before writing it, or it is unreadable — stale either way.
  }
  const entry = {
    name,
    path: dir,
    pid: typeof owner.pid === 'number' ? owner.pid : null,
    host: typeof owner.host === 'string' ? owner.host : null,
    startedAt: typeof owner.startedAt === 'string' ? owner.startedAt : null,
  };
  return { ...entry, stale: isStalePartial(entry) };
}

/** Lists the backup folder. A missing folder is an empty list. */
export async function listBackups(backupDir: string): Promise<BackupListing> {
  const listing: BackupListing = { backups: [], invalid: [], partials: [] };
  let names: string[];
  try {
    names = await readdir(backupDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return listing;
    throw new NovaError(
      'BACKUP_FAILED',
      `Cannot read the backup folder ${backupDir}: ${(err as Error).message}`,
      {
        fix: 'Check NOVA_BACKUP_DIR and the folder permissions.',
        cause: err,
      },
    );
  }
  for (const name of names.sort()) {
    const full = path.join(backupDir, name);
    const isDir = await stat(full).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) continue;
    const partial = PARTIAL.exec(name);
    if (partial) {
      listing.partials.push(await readPartial(full, partial[1] ?? name));
      continue;
    }
    if (name.startsWith('.')) continue;
    try {
      listing.backups.push(await readBackup(full));
    } catch (err) {
      if (!isNovaError(err)) throw err;
      listing.invalid.push({ name, path: full, error: toErrorData(err) });
    }
  }
  listing.backups.sort((a, b) =>
    a.manifest.createdAt < b.manifest.createdAt
      ? 1
      : a.manifest.createdAt > b.manifest.createdAt
        ? -1
        : 0,
  );
  return listing;
}

/** Removes partial folders whose writer is gone (and half-deleted backups); returns their names. */
export async function cleanStalePartials(backupDir: string): Promise<string[]> {
  const { partials } = await listBackups(backupDir);
  const removed: string[] = [];
  for (const p of partials.filter((x) => x.stale)) {
    await rm(p.path, { recursive: true, force: true });
    removed.push(path.basename(p.path));
  }
  const names = await readdir(backupDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => DELETING.test(n))) {
    await rm(path.join(backupDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Deletes a backup. It is renamed to a dot-folder first, so a crash half-way
 * through the delete leaves nothing that is listed as a backup.
 */
export async function deleteBackup(backupPath: string): Promise<void> {
  const doomed = path.join(path.dirname(backupPath), `.${path.basename(backupPath)}.deleting`);
  try {
    await rename(backupPath, doomed);
  } catch (err) {
    // Already deleted (by hand, or by an older Nova's run that did not take the lock): done.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await rm(doomed, { recursive: true, force: true });
}
