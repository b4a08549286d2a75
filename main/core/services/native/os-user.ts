/**
 * PostgreSQL refuses to run as root ("root" execution of the PostgreSQL
 * server is not permitted), and appliances are often started by root — a
 * systemd unit, a container, a CI job. So when we are root, initdb/pg_ctl
 * run as an unprivileged OS user (default `postgres`, which every
 * PostgreSQL package creates) through `runuser -u USER --`, and the cluster
 * directory is owned by that user.
 *
 * That user must be able to reach the cluster inside our data dir, whose
 * parents are private (0700): we add traverse-only permission (o+x, never
 * read) on the data dir and its `services` folder — nobody can list them,
 * and the secrets inside stay 0600 — and then prove access by running
 * `test -w` as that user, so a parent we cannot fix (e.g. /root) produces a
 * clear error instead of a cryptic initdb failure.
 */
import { chmod, chown, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../../errors.js';
import { runCommand } from '../run-command.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * `osUser` option semantics:
 *  - undefined: automatic — the `postgres` user when running as root, else run as ourselves;
 *  - a user name: always run PostgreSQL as that user (needs root);
 *  - null: run as ourselves even as root (PostgreSQL will refuse; for callers that know better).
 */
export type OsUserOption = string | null | undefined;

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

async function lookup(name: string): Promise<OsUser | null> {
  try {
    const uid = Number((await runCommand('id', ['-u', name], { timeoutMs: 5000 })).stdout.trim());
    const gid = Number((await runCommand('id', ['-g', name], { timeoutMs: 5000 })).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : null;
  } catch {
    return null;
  }
}

/** Which OS user runs the PostgreSQL programs; undefined means "this process's user". */
export async function resolvePostgresOsUser(option: OsUserOption): Promise<OsUser | undefined> {
  if (option === null) return undefined;
  if (option === undefined && !isRoot()) return undefined;
  const name = option ?? 'postgres';
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(name)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `"${name}" is not a valid OS user name for running PostgreSQL.`,
      {
        fix: 'Give the name of an existing unprivileged user, e.g. postgres.',
      },
    );
  }
  if (!isRoot()) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Running PostgreSQL as the OS user "${name}" needs root, and Nova is not running as root.`,
      {
        fix: 'Leave the PostgreSQL OS user unset to run it as the current user.',
      },
    );
  }
  const user = await lookup(name);
  if (!user) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Nova runs as root, and PostgreSQL must run as an unprivileged user, but the OS user "${name}" does not exist.`,
      {
        fix: `Create it (useradd --system --home-dir /var/lib/${name} ${name}), name another unprivileged user, or run Nova as a normal user.`,
      },
    );
  }
  if (user.uid === 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The OS user "${name}" is root; PostgreSQL refuses to run as root.`,
      {
        fix: 'Choose an unprivileged user (e.g. postgres).',
      },
    );
  }
  return user;
}

/** Gives `user` traverse-only access to every directory from `dataDir` down to (excluding) `target`. */
export async function grantTraverse(dataDir: string, target: string): Promise<void> {
  const rel = path.relative(dataDir, path.dirname(target));
  const dirs = [dataDir];
  let current = dataDir;
  for (const part of rel === '' ? [] : rel.split(path.sep)) {
    current = path.join(current, part);
    dirs.push(current);
  }
  for (const dir of dirs) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
  }
}

/** chown -R, without following symlinks; for directories we created ourselves. */
export async function chownTree(dir: string, user: OsUser): Promise<void> {
  await chown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, user);
    else if (!entry.isSymbolicLink()) await chown(p, user.uid, user.gid);
  }
}

/** Proves `user` can write in `dir` (covers every parent's permissions at once). */
export async function assertUserCanWrite(dir: string, user: OsUser): Promise<void> {
  try {
    await runCommand('test', ['-w', dir, '-a', '-x', dir], { asUser: user.name, timeoutMs: 5000 });
  } catch (err) {
    throw new NovaError(
      'DATA_DIR_NOT_WRITABLE',
      `PostgreSQL runs as the OS user "${user.name}" (Nova runs as root), and that user cannot write in ${dir}.`,
      {
        fix: `Choose a data directory that "${user.name}" can reach (not under /root), e.g. --data-dir /var/lib/nova-db, or give it access to every parent directory (chmod o+x).`,
        cause: err,
      },
    );
  }
}
