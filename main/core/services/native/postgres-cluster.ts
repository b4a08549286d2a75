/**
 * The on-disk side of the native PostgreSQL: where the cluster lives, how
 * it is created (initdb), how an existing one is checked before we try to
 * start it, and how a failed start is turned into an error a person can act
 * on (from the server log). A damaged cluster is never repaired or deleted
 * here — it may hold the only copy of someone's data.
 *
 * pg_ctl hands `-o` and its `-D`/`-l` paths to /bin/sh (it builds an
 * `exec postgres …` command line), so every value placed there is either an
 * integer we produced or a path we validated and single-quote; paths with
 * characters that are special inside a shell's double quotes are refused
 * up front with a clear error rather than escaped and hoped for.
 */
import { access, chown, constants, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../../errors.js';
import type { FoundBinary } from '../binaries.js';
import { CommandError, runCommand } from '../run-command.js';
import type { ServerPaths } from './native-server.js';
import type { OsUser } from './os-user.js';
import { readTail } from './process-utils.js';

export const POSTGRES_SUPERUSER = 'nova';
export const POSTGRES_DATABASE = 'nova';

export type PostgresPaths = ServerPaths & { sockets: string };

/** Characters with meaning inside a shell's double quotes, or in postgres' option parsing. */
const SHELL_UNSAFE = /["$`\\'\n\r,]/;

export function postgresPaths(dataDir: string): PostgresPaths {
  const base = path.join(dataDir, 'services', 'postgres');
  return {
    base,
    data: path.join(base, 'data'),
    log: path.join(base, 'postgres.log'),
    sockets: path.join(base, 'run'),
  };
}

/** Throws INVALID_ARGUMENT for a path pg_ctl cannot be given safely. */
export function assertShellSafe(p: string): void {
  if (!SHELL_UNSAFE.test(p)) return;
  throw new NovaError(
    'INVALID_ARGUMENT',
    `The path ${p} contains a character PostgreSQL's pg_ctl cannot be given safely (one of " $ \` \\ ' , or a newline).`,
    {
      fix: 'Choose a data directory whose path has none of these characters (--data-dir or NOVA_DATA_DIR).',
    },
  );
}

/**
 * The `-o` string for pg_ctl. Unix-socket paths are limited (~104 bytes
 * with the socket file name); when ours is too long we run TCP-only rather
 * than put the socket somewhere shared like /tmp.
 */
export function postgresOptions(port: number, socketDir: string): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NovaError('INVALID_ARGUMENT', `Invalid PostgreSQL port ${String(port)}.`, {
      fix: 'Use a port between 1 and 65535.',
    });
  }
  assertShellSafe(socketDir);
  const socketFits = Buffer.byteLength(`${socketDir}/.s.PGSQL.${port}`) < 100;
  return `-p ${port} -k '${socketFits ? socketDir : ''}' -c listen_addresses=127.0.0.1`;
}

/** DB_CORRUPT for a damaged cluster, with the move-it-aside fix (and the server log when we have it). */
export function corruptClusterError(
  dataPath: string,
  why: string,
  logTail = '',
  cause?: unknown,
): NovaError {
  const aside = `${dataPath}.broken-${new Date().toISOString().slice(0, 10)}`;
  return new NovaError(
    'DB_CORRUPT',
    `The PostgreSQL cluster directory ${dataPath} is damaged: ${why}.${logTail}`,
    {
      fix: `Nova never deletes data. Move the folder aside (mv "${dataPath}" "${aside}") and start again to create a fresh cluster, then restore from a backup; keep the old folder until you are sure nothing in it is needed.`,
      cause,
    },
  );
}

/**
 * 'empty' when there is no cluster yet (initdb needed); otherwise checks
 * the folder looks like a cluster of the installed major version.
 */
export async function checkCluster(
  dataPath: string,
  installedVersion: string | null | undefined,
): Promise<'empty' | 'existing'> {
  const entries = await readdir(dataPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (entries === null || entries.length === 0) return 'empty';
  let version: string;
  try {
    version = (await readFile(path.join(dataPath, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    throw corruptClusterError(dataPath, 'PG_VERSION is missing');
  }
  if (!/^\d+(\.\d+)?$/.test(version)) {
    throw corruptClusterError(
      dataPath,
      `PG_VERSION does not hold a version ("${version.slice(0, 20)}")`,
    );
  }
  try {
    await access(path.join(dataPath, 'postgresql.conf'), constants.R_OK);
  } catch {
    throw corruptClusterError(dataPath, 'postgresql.conf is missing');
  }
  const installedMajor = installedVersion?.split('.')[0];
  if (installedMajor && version.split('.')[0] !== installedMajor) {
    throw new NovaError(
      'SERVICE_UNAVAILABLE',
      `The PostgreSQL cluster in ${dataPath} was created by PostgreSQL ${version}, but the installed programs are version ${installedVersion}.`,
      {
        fix: `Install PostgreSQL ${version} alongside (its bin directory is searched first when present), or upgrade the cluster with pg_upgrade.`,
      },
    );
  }
  return 'existing';
}

/** Runs initdb: SCRAM auth, superuser `nova` with `password`, UTF8, C locale. */
export async function initCluster(options: {
  initdb: FoundBinary;
  paths: PostgresPaths;
  password: string;
  osUser?: OsUser;
}): Promise<void> {
  const { paths, osUser } = options;
  const pwfile = path.join(paths.base, `.pwfile-${process.pid}`);
  // The password goes through a private file, never an argument (which
  // `ps` would show to every user on the machine).
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (osUser) await chown(pwfile, osUser.uid, osUser.gid);
    await runCommand(
      options.initdb.path,
      [
        '-D',
        paths.data,
        '--auth=scram-sha-256',
        `--username=${POSTGRES_SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--locale=C',
      ],
      { asUser: osUser?.name, cwd: paths.base, timeoutMs: 120_000, what: 'initdb' },
    );
  } catch (err) {
    // A half-made cluster would be mistaken for a damaged one next time;
    // initdb just created it and it holds no data yet, so removing it is safe.
    await rm(paths.data, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Turns a failed `pg_ctl start` into the most specific error the server log supports. */
export async function explainStartFailure(
  err: unknown,
  port: number,
  paths: PostgresPaths,
): Promise<unknown> {
  const log = (await readTail(paths.log, 15)).join('\n');
  const tail = log ? `\nServer log (${paths.log}):\n${log}` : '';
  if (/Address already in use|could not bind/i.test(log)) {
    return new NovaError(
      'PORT_IN_USE',
      `PostgreSQL could not listen on 127.0.0.1:${port}: the port is in use.${tail}`,
      {
        fix: `Stop the program using port ${port}, or let Nova choose a free port (do not fix the port in the configuration).`,
        cause: err,
      },
    );
  }
  const badConfig =
    /configuration file .* contains errors|syntax error in file|invalid value for parameter|unrecognized configuration parameter/i;
  if (badConfig.test(log)) {
    return corruptClusterError(paths.data, 'its configuration cannot be read', tail, err);
  }
  const badFiles =
    /invalid data in file|could not read file|incorrect checksum in control file|database files are incompatible/i;
  if (badFiles.test(log)) {
    return corruptClusterError(paths.data, 'its files cannot be read', tail, err);
  }
  if (/pre-existing shared memory block|lock file .* already exists/i.test(log)) {
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `PostgreSQL did not start: a previous server on this cluster has not finished exiting.${tail}`,
      {
        fix: 'Wait a few seconds and start again; if it persists, stop the leftover postgres processes of this data directory.',
        cause: err,
      },
    );
  }
  if (err instanceof CommandError) {
    return new NovaError(err.code, `${err.message}${tail}`, {
      fix: err.fix ?? `Read the server log ${paths.log}.`,
      cause: err,
    });
  }
  return err;
}
