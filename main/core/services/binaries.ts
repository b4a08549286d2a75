/**
 * Finding the server programs a native profile needs. PATH alone is not
 * enough: Debian keeps initdb/pg_ctl under /usr/lib/postgresql/<major>/bin,
 * Homebrew under /opt/homebrew/bin or /usr/local/opt/postgresql@<major>/bin,
 * Windows under C:\Program Files\PostgreSQL\<major>\bin. The PostgreSQL
 * tools must come from ONE installation (an initdb of 14 with a postgres of
 * 16 cannot work), so they are resolved together, from the first directory
 * holding all three.
 */
import { access, constants, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export type BinaryName = 'initdb' | 'pg_ctl' | 'postgres' | 'redis-server' | 'mongod';

/** A program that was found, with the version it reports. */
export interface FoundBinary {
  path: string;
  /** Version from `--version`, or null when it could not be read. */
  version: string | null;
}

export type BinaryReport = Record<BinaryName, FoundBinary | null>;

export interface BinarySearchOptions {
  /** Directories to search, in order. Default: PATH then the usual install dirs (see defaultSearchDirs). */
  searchDirs?: string[];
  platform?: NodeJS.Platform;
  /** The PATH value to use (default process.env.PATH). */
  pathEnv?: string;
}

/** Directories named `<prefix><version>` under `parent`, highest version first (`15` before `9.6`). */
async function versionedDirs(parent: string, prefix: string, suffix: string[]): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const versioned = names
    .filter((n) => n.startsWith(prefix) && /^\d+(\.\d+)*$/.test(n.slice(prefix.length)))
    .map((n) => ({ n, v: n.slice(prefix.length).split('.').map(Number) }))
    .sort((a, b) => compareVersions(b.v, a.v));
  return versioned.map(({ n }) => path.join(parent, n, ...suffix));
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** PATH entries, then the places package managers put database servers. */
export async function defaultSearchDirs(
  platform: NodeJS.Platform = process.platform,
  pathEnv: string = process.env.PATH ?? '',
): Promise<string[]> {
  const fromPath = pathEnv.split(platform === 'win32' ? ';' : ':').filter((d) => d !== '');
  const usual =
    platform === 'win32'
      ? [
          ...(await versionedDirs('C:\\Program Files\\PostgreSQL', '', ['bin'])),
          ...(await versionedDirs('C:\\Program Files\\MongoDB\\Server', '', ['bin'])),
        ]
      : [
          ...(await versionedDirs('/usr/lib/postgresql', '', ['bin'])),
          ...(await versionedDirs('/usr/local/opt', 'postgresql@', ['bin'])),
          ...(await versionedDirs('/opt/homebrew/opt', 'postgresql@', ['bin'])),
          '/usr/local/bin',
          '/opt/homebrew/bin',
          '/usr/bin',
          '/usr/sbin',
        ];
  return [...new Set([...fromPath, ...usual])];
}

async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    await access(file, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exeName(name: BinaryName, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/** Runs `<file> --version` and pulls out the version number; null when it fails or says nothing recognisable. */
export async function readVersion(file: string): Promise<string | null> {
  const r = await execa(file, ['--version'], { reject: false, timeout: 5000, stdin: 'ignore' });
  if (r.failed) return null;
  return parseVersion(`${String(r.stdout)}\n${String(r.stderr)}`);
}

/** `initdb (PostgreSQL) 15.20 (Debian…)` → 15.20; `Redis server v=7.0.15 …` → 7.0.15; `db version v7.0.2` → 7.0.2. */
export function parseVersion(text: string): string | null {
  const redis = /\bv=(\d+\.\d+(?:\.\d+)?)/.exec(text);
  if (redis) return redis[1] ?? null;
  const generic = /\bv?(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return generic?.[1] ?? null;
}

/** Finds every server program; the three PostgreSQL tools from the same directory. */
export async function findBinaries(options: BinarySearchOptions = {}): Promise<BinaryReport> {
  const platform = options.platform ?? process.platform;
  const dirs = options.searchDirs ?? (await defaultSearchDirs(platform, options.pathEnv));
  const report: BinaryReport = {
    initdb: null,
    pg_ctl: null,
    postgres: null,
    'redis-server': null,
    mongod: null,
  };

  for (const dir of dirs) {
    const files = (['initdb', 'pg_ctl', 'postgres'] as const).map((n) =>
      path.join(dir, exeName(n, platform)),
    );
    const present = await Promise.all(files.map((f) => isExecutable(f, platform)));
    if (present.every(Boolean)) {
      const versions = await Promise.all(files.map((f) => readVersion(f)));
      report.initdb = { path: files[0] as string, version: versions[0] ?? null };
      report.pg_ctl = { path: files[1] as string, version: versions[1] ?? null };
      report.postgres = { path: files[2] as string, version: versions[2] ?? null };
      break;
    }
  }
  // A partial PostgreSQL install (e.g. only the client package) is still
  // worth reporting per program so the doctor can say what is missing.
  for (const name of ['initdb', 'pg_ctl', 'postgres', 'redis-server', 'mongod'] as const) {
    if (report[name]) continue;
    for (const dir of dirs) {
      const file = path.join(dir, exeName(name, platform));
      if (await isExecutable(file, platform)) {
        report[name] = { path: file, version: await readVersion(file) };
        break;
      }
    }
  }
  return report;
}

/** How to install a missing program, for BINARY_MISSING fixes. */
export function installHint(
  name: BinaryName,
  platform: NodeJS.Platform = process.platform,
): string {
  const pg = name === 'initdb' || name === 'pg_ctl' || name === 'postgres';
  if (platform === 'darwin') {
    return pg
      ? 'brew install postgresql@15'
      : name === 'redis-server'
        ? 'brew install redis'
        : 'brew install mongodb-community (tap mongodb/brew)';
  }
  if (platform === 'win32') {
    return pg
      ? 'install PostgreSQL from https://www.postgresql.org/download/windows/'
      : name === 'redis-server'
        ? 'Redis has no native Windows build; use the docker profile or an external Redis'
        : 'install MongoDB Community Server from https://www.mongodb.com/try/download/community';
  }
  return pg
    ? 'install postgresql-15 (apt-get install postgresql-15)'
    : name === 'redis-server'
      ? 'install redis-server (apt-get install redis-server)'
      : 'install mongodb-org (see https://www.mongodb.com/docs/manual/administration/install-on-linux/)';
}
