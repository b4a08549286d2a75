/**
 * Finding pg_dump, pg_restore and psql for a given server. pg_dump refuses
 * (or silently mis-dumps) servers newer than itself, so the tools must be at
 * least the server's major version; the closest such version is preferred,
 * since a much newer pg_restore emits SQL an older server may not accept.
 * Debian keeps them under /usr/lib/postgresql/<major>/bin, off PATH.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { NovaError } from '../errors.js';
import { defaultSearchDirs, parseVersion } from '../services/binaries.js';

export interface PgToolSet {
  dir: string;
  /** Major version of pg_dump (9 for 9.6, 15 for 15.2). */
  major: number;
  /** What pg_dump --version says, for the manifest. */
  versionText: string;
  pgDump: string;
  /** Null when this installation has no pg_restore/psql (restore then needs another one). */
  pgRestore: string | null;
  psql: string | null;
}

export interface PgToolCandidate {
  dir: string;
  major: number;
  versionText: string;
  complete: boolean;
}

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `pg_dump (PostgreSQL) 15.20 (Debian …)` → 15; `… 9.6.24` → 9; null when unrecognisable. */
export function parseToolMajor(versionText: string): number | null {
  if (!/PostgreSQL/i.test(versionText)) return null;
  const version = parseVersion(versionText);
  const major = version ? Number(version.split('.')[0]) : NaN;
  return Number.isInteger(major) && major > 0 ? major : null;
}

/**
 * Picks the tools for a server of `serverMajor`: the lowest major that is
 * not older than the server, preferring installations that also have
 * pg_restore and psql. Pure, so the choice is testable without installs.
 */
export function choosePgTools(
  candidates: readonly PgToolCandidate[],
  serverMajor: number,
): PgToolCandidate | null {
  const usable = candidates.filter((c) => c.major >= serverMajor);
  usable.sort((a, b) => a.major - b.major || Number(b.complete) - Number(a.complete));
  return usable[0] ?? null;
}

export async function listPgToolCandidates(searchDirs?: string[]): Promise<PgToolCandidate[]> {
  const dirs = searchDirs ?? (await defaultSearchDirs());
  const out: PgToolCandidate[] = [];
  for (const dir of [...new Set(dirs)]) {
    const dump = path.join(dir, exe('pg_dump'));
    if (!(await executable(dump))) continue;
    const r = await execa(dump, ['--version'], { reject: false, timeout: 5_000, stdin: 'ignore' });
    const versionText = String(r.stdout ?? '').trim();
    const major = r.failed ? null : parseToolMajor(versionText);
    if (major === null) continue;
    const complete =
      (await executable(path.join(dir, exe('pg_restore')))) &&
      (await executable(path.join(dir, exe('psql'))));
    out.push({ dir, major, versionText, complete });
  }
  return out;
}

/** The tools for this server, or null when no pg_dump new enough is installed. */
export async function findPgTools(
  serverMajor: number,
  searchDirs?: string[],
): Promise<PgToolSet | null> {
  const chosen = choosePgTools(await listPgToolCandidates(searchDirs), serverMajor);
  if (!chosen) return null;
  const tool = async (name: string) => {
    const file = path.join(chosen.dir, exe(name));
    return (await executable(file)) ? file : null;
  };
  return {
    dir: chosen.dir,
    major: chosen.major,
    versionText: chosen.versionText,
    pgDump: path.join(chosen.dir, exe('pg_dump')),
    pgRestore: await tool('pg_restore'),
    psql: await tool('psql'),
  };
}

/** pg_restore and psql for restoring a pg_dump part into a server of `serverMajor`. */
export async function requireRestoreTools(
  serverMajor: number,
  searchDirs?: string[],
): Promise<PgToolSet & { pgRestore: string; psql: string }> {
  const candidates = (await listPgToolCandidates(searchDirs)).filter((c) => c.complete);
  const chosen = choosePgTools(candidates, serverMajor);
  if (!chosen) {
    throw new NovaError(
      'BINARY_MISSING',
      `This backup holds a pg_dump archive, and restoring it needs pg_restore and psql of PostgreSQL ${serverMajor} or newer, which were not found.`,
      {
        fix: `Install the PostgreSQL client tools (apt-get install postgresql-client-${serverMajor}, or brew install postgresql@${serverMajor}) and run the restore again.`,
      },
    );
  }
  return {
    dir: chosen.dir,
    major: chosen.major,
    versionText: chosen.versionText,
    pgDump: path.join(chosen.dir, exe('pg_dump')),
    pgRestore: path.join(chosen.dir, exe('pg_restore')),
    psql: path.join(chosen.dir, exe('psql')),
  };
}
