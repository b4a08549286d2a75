/**
 * Scratch space of verify and restore, and the sweep of what a killed run
 * left behind. A trial restore decrypts parts into plaintext files and loads
 * them into scratch databases; SIGKILL (or a power cut) skips every
 * `finally`, so both are named so that a later run can tell them apart from
 * live ones and remove them:
 *
 *  - files: `<data dir>/tmp/nova-verify-<pid>-XXXXXX/` (0700, inside the
 *    private data directory, never the world-shared temp folder);
 *  - databases: `nova_verify_<host tag><pid><created, unix s><random>`, all hex.
 *
 * A leftover is one whose process is gone on this machine, or that is older
 * than a day wherever it came from (another machine's verify on the same
 * server cannot be probed). Names without the structured part (older Nova
 * versions) are dropped when nobody is connected to them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { MongoBackupTarget } from './mongo-part.js';
import type { PostgresBackupTarget } from './postgres-connect.js';

export const LEFTOVER_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Scratch folders of versions that used the shared temp folder and no pid in the name. */
const LEGACY_TMP_MAX_AGE_MS = 60 * 60 * 1000;
const SCRATCH_DB = /^nova_verify_([0-9a-f]+)$/;
const WORK_DIR = /^nova-(verify|restore)-(\d+)-[A-Za-z0-9]{6}$/;
const LEGACY_WORK_DIR = /^nova-(verify|restore)-[A-Za-z0-9]{6}$/;

function hostTag(): string {
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 6);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** A new scratch database name that says who made it and when. */
export function scratchName(now: number = Date.now()): string {
  return `nova_verify_${hostTag()}${hex(process.pid, 8)}${hex(Math.floor(now / 1000), 8)}${randomBytes(3).toString('hex')}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a scratch database name is a leftover: true/false for names this
 * version makes, null for older names (decide by whether anyone uses it).
 */
export function isLeftoverScratch(name: string, now: number = Date.now()): boolean | null {
  const m = SCRATCH_DB.exec(name);
  if (!m?.[1] || m[1].length !== 28) return m ? null : false;
  const tag = m[1].slice(0, 6);
  const pid = Number.parseInt(m[1].slice(6, 14), 16);
  const created = Number.parseInt(m[1].slice(14, 22), 16) * 1000;
  if (now - created > LEFTOVER_MAX_AGE_MS) return true;
  return tag === hostTag() && pid !== process.pid && !pidAlive(pid);
}

/** A private (0700) scratch folder for one verify or restore, under `<dataDir>/tmp`. */
export async function privateWorkDir(
  dataDir: string | undefined,
  kind: 'verify' | 'restore',
): Promise<string> {
  const root = dataDir ? path.join(dataDir, 'tmp') : tmpdir();
  await mkdir(root, { recursive: true, mode: 0o700 });
  // mkdtemp creates the folder 0700 itself.
  return mkdtemp(path.join(root, `nova-${kind}-${process.pid}-`));
}

async function sweepFolder(root: string, legacy: boolean, now: number): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(root).catch(() => [] as string[]);
  const uid = userInfo().uid;
  for (const name of names) {
    const full = path.join(root, name);
    const m = WORK_DIR.exec(name);
    const old = legacy && LEGACY_WORK_DIR.test(name);
    if (!m && !old) continue;
    const info = await stat(full).catch(() => null);
    if (!info?.isDirectory() || (uid !== -1 && info.uid !== uid)) continue;
    const age = now - info.mtimeMs;
    const pid = m ? Number(m[2]) : NaN;
    const leftover = m
      ? pid !== process.pid && (!pidAlive(pid) || age > LEFTOVER_MAX_AGE_MS)
      : age > LEGACY_TMP_MAX_AGE_MS;
    if (!leftover) continue;
    await rm(full, { recursive: true, force: true });
    removed.push(full);
  }
  return removed;
}

async function sweepPostgres(server: PostgresBackupTarget, now: number): Promise<string[]> {
  // Loaded on demand, like every PostgreSQL/MongoDB module: the embedded profile needs neither.
  const { withPostgres } = await import('./postgres-connect.js');
  const { quotePgIdent } = await import('./content-checksum-postgres.js');
  return withPostgres(server, async (c) => {
    const { rows } = await c.query<{ datname: string; sessions: string }>(
      `SELECT d.datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname) AS sessions
         FROM pg_database d WHERE d.datname LIKE 'nova\\_verify\\_%'`,
    );
    const major = Math.floor(
      Number(
        (await c.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0]
          ?.n,
      ) / 10_000,
    );
    const dropped: string[] = [];
    for (const { datname, sessions } of rows) {
      const verdict = isLeftoverScratch(datname, now);
      if (verdict === false || (verdict === null && Number(sessions) > 0)) continue;
      await c.query(
        `DROP DATABASE IF EXISTS ${quotePgIdent(datname)}${major >= 13 ? ' WITH (FORCE)' : ''}`,
      );
      dropped.push(datname);
    }
    return dropped;
  });
}

async function sweepMongo(server: MongoBackupTarget, now: number): Promise<string[]> {
  const { withMongo } = await import('./mongo-part.js');
  return withMongo(server, 'list scratch databases', async (client) => {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    const dropped: string[] = [];
    for (const { name } of databases) {
      // MongoDB shows no per-database sessions; older names are left to their age-less owner.
      if (isLeftoverScratch(name, now) !== true) continue;
      await client.db(name).dropDatabase();
      dropped.push(name);
    }
    return dropped;
  });
}

export interface SweepTargets {
  dataDir?: string;
  postgres?: PostgresBackupTarget;
  mongo?: MongoBackupTarget;
}

/**
 * Removes what killed verifies and restores left: plaintext scratch folders
 * (in the data directory and, from older versions, the temp folder) and
 * scratch databases. Never fails the caller: a server that is down or a
 * user without the rights is skipped (the next run tries again).
 */
export async function sweepVerifyLeftovers(
  targets: SweepTargets,
  now: number = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  const collect = async (work: Promise<string[]>) => {
    removed.push(...(await work.catch(() => [] as string[])));
  };
  if (targets.dataDir) await collect(sweepFolder(path.join(targets.dataDir, 'tmp'), false, now));
  await collect(sweepFolder(tmpdir(), true, now));
  if (targets.postgres) await collect(sweepPostgres(targets.postgres, now));
  if (targets.mongo) await collect(sweepMongo(targets.mongo, now));
  return removed;
}
