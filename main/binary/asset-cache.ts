/**
 * The single binary's files on disk. The executable carries the SQLite
 * engine's compiled module, the admin UI, the SQL migrations, the compose
 * files and the systemd unit as assets (scripts/package-server.mjs); a
 * compiled module can only be loaded from a file, and the readers of the
 * others expect files too. So on first use they are written to a private
 * cache directory named after the checksum of their manifest
 * (`<cache>/assets-<sha256 prefix>`, 0700, files 0600): two versions never
 * share one, two processes starting at once do not corrupt it (each unpacks
 * into its own temporary directory and renames it into place), and every
 * start re-checks each file's checksum, so a damaged or edited file is
 * replaced rather than loaded.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { NovaError } from '../core/errors.js';

export interface AssetManifest {
  files: { key: string; sha256: string; size: number }[];
}

/** Where the unpacked files go: NOVA_CACHE_DIR, systemd's CacheDirectory, XDG, ~/.cache, else the temp dir. */
export function assetCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NOVA_CACHE_DIR) return path.resolve(env.NOVA_CACHE_DIR);
  // systemd sets CACHE_DIRECTORY (colon-separated when the unit lists several).
  const systemd = env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd) return path.join(systemd, 'assets');
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'nova-db');
  const home = env.HOME || safeHomedir();
  if (home && home !== '/') return path.join(home, '.cache', 'nova-db');
  return path.join(tmpdir(), `nova-db-${process.getuid?.() ?? userInfo().username}`);
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

/** The directory name for a manifest: `assets-` and 16 hex digits of its sha256. */
export function assetDirName(manifest: AssetManifest): string {
  const sum = createHash('sha256').update(JSON.stringify(manifest.files)).digest('hex');
  return `assets-${sum.slice(0, 16)}`;
}

/**
 * Makes sure `<root>/assets-<sum>` holds exactly the manifest's files and
 * returns its path. `read(key)` returns an asset's bytes (node:sea's
 * getAsset in the binary; plain files in the tests).
 */
export function unpackAssets(
  manifest: AssetManifest,
  read: (key: string) => Uint8Array,
  root: string,
): string {
  const target = path.join(root, assetDirName(manifest));
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    ensurePrivate(root);
    if (isIntact(target, manifest)) return target;
    rmSync(target, { recursive: true, force: true });
    const staging = mkdtempSync(`${target}.tmp-`);
    try {
      for (const file of manifest.files) {
        const bytes = read(file.key);
        if (bytes.byteLength !== file.size || sha256(bytes) !== file.sha256)
          throw new Error(`the bundled file ${file.key} does not match its checksum`);
        const dest = inside(staging, file.key);
        mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
        writeFileSync(dest, bytes, { mode: 0o600 });
      }
      renameSync(staging, target);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      // Another process unpacked the same files first: theirs is as good as ours.
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && isIntact(target, manifest)) return target;
      throw err;
    }
    return target;
  } catch (err) {
    if (err instanceof NovaError) throw err;
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new NovaError(
      'ASSET_CACHE_FAILED',
      `nova-db could not unpack its bundled files into ${target} (${reason}).`,
      {
        fix: 'Set NOVA_CACHE_DIR to a folder this user can write (on a file system that allows running programs), or free some disk space, then try again.',
        cause: err,
      },
    );
  }
}

/** The cache must be this user's alone: the compiled module in it is loaded as code. */
function ensurePrivate(dir: string): void {
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new NovaError(
      'ASSET_CACHE_FAILED',
      `nova-db will not use ${dir} for its bundled files: it is ${stat.isDirectory() ? 'owned by another user' : 'not a directory'}.`,
      {
        fix: 'Set NOVA_CACHE_DIR to a folder owned by this user, or remove that path.',
      },
    );
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function isIntact(dir: string, manifest: AssetManifest): boolean {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return false;
  }
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0)
    return false;
  return manifest.files.every((file) => {
    try {
      const bytes = readFileSync(inside(dir, file.key));
      return bytes.byteLength === file.size && sha256(bytes) === file.sha256;
    } catch {
      return false;
    }
  });
}

/** `key` under `dir`, refusing keys that would leave it. */
function inside(dir: string, key: string): string {
  const dest = path.resolve(dir, ...key.split('/'));
  if (!dest.startsWith(dir + path.sep))
    throw new Error(`bundled file name ${key} leaves its folder`);
  return dest;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
