/**
 * Service passwords and the admin token (main/core/services/README.md, docs/ARCHITECTURE.md#security): generated with
 * crypto.randomBytes on first use — never a default password — and kept in
 * `<data dir>/credentials.json`, private to this user (0600, checked after
 * every write). Later runs read the same values back, because a native
 * PostgreSQL cluster is initialised with the password once and only knows
 * that one.
 *
 * The values are wrapped in `Credentials`, whose JSON and inspect forms are
 * redacted, so a stray `console.log(creds)` or a serialised error cannot
 * leak them.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { NovaError } from '../errors.js';

export const CREDENTIALS_FILE_NAME = 'credentials.json';
export const CREDENTIALS_VERSION = 1;

export const CREDENTIAL_KEYS = [
  'postgresPassword',
  'redisPassword',
  'mongoPassword',
  'adminToken',
] as const;
export type CredentialKey = (typeof CREDENTIAL_KEYS)[number];

type Values = Record<CredentialKey, string>;

/**
 * The passwords a service provider needs to set up or reach its servers.
 * Secrets. Defined here, beside the file that keeps them, so the services
 * layer depends on config and never the other way round.
 */
export interface ServiceCredentials {
  readonly postgresPassword: string;
  readonly redisPassword: string;
  readonly mongoPassword: string;
}

const REDACTED = '***';

/** Hex passwords are safe everywhere they go: URLs, redis.conf, a pwfile, a shell-free argv. */
function generate(key: CredentialKey): string {
  return key === 'adminToken'
    ? randomBytes(32).toString('base64url')
    : randomBytes(24).toString('hex');
}

/** The secrets, readable by code, redacted whenever they are printed or serialised. */
export class Credentials implements ServiceCredentials {
  readonly #values: Values;

  constructor(values: Values) {
    this.#values = { ...values };
    Object.freeze(this);
  }

  get postgresPassword(): string {
    return this.#values.postgresPassword;
  }
  get redisPassword(): string {
    return this.#values.redisPassword;
  }
  get mongoPassword(): string {
    return this.#values.mongoPassword;
  }
  get adminToken(): string {
    return this.#values.adminToken;
  }
  get(key: CredentialKey): string {
    return this.#values[key];
  }

  toJSON(): Record<CredentialKey, string> {
    return Object.fromEntries(CREDENTIAL_KEYS.map((k) => [k, REDACTED])) as Record<
      CredentialKey,
      string
    >;
  }
  toString(): string {
    return '[Credentials (redacted)]';
  }
  [inspect.custom](): string {
    return `Credentials { ${CREDENTIAL_KEYS.map((k) => `${k}: '${REDACTED}'`).join(', ')} }`;
  }
}

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE_NAME);
}

/**
 * Reads the credentials, creating the file on first use and adding any key
 * a newer build introduced. Throws SETTINGS_UNREADABLE for a file that
 * exists but cannot be understood — regenerating would lock us out of
 * servers initialised with the old passwords.
 */
export async function loadCredentials(dataDir: string): Promise<Credentials> {
  const file = credentialsPath(dataDir);
  const existing = await readValues(file);
  if (existing === null) {
    const fresh = Object.fromEntries(CREDENTIAL_KEYS.map((k) => [k, generate(k)])) as Values;
    // link() never overwrites: when two processes start together, the second
    // one loses the race and reads the winner's file instead of replacing it.
    const created = await writePrivate(file, fresh, 'create');
    return new Credentials(created ? fresh : ((await readValues(file)) as Values));
  }
  const missing = CREDENTIAL_KEYS.filter((k) => existing[k] === undefined);
  if (missing.length === 0) {
    await ensurePrivateMode(file);
    return new Credentials(existing as Values);
  }
  const completed = { ...existing } as Values;
  for (const k of missing) completed[k] = generate(k);
  await writePrivate(file, completed, 'replace');
  return new Credentials(completed);
}

/**
 * Replaces one secret with a fresh random value and stores it. The caller
 * must apply it to the server that uses it (ALTER ROLE, CONFIG SET
 * requirepass…); the old value stops working only then.
 */
export async function rotateCredential(dataDir: string, key: CredentialKey): Promise<Credentials> {
  if (!CREDENTIAL_KEYS.includes(key)) {
    throw new NovaError('INVALID_ARGUMENT', `Unknown credential "${String(key)}".`, {
      fix: `Use one of: ${CREDENTIAL_KEYS.join(', ')}.`,
    });
  }
  const current = await loadCredentials(dataDir);
  const values = Object.fromEntries(CREDENTIAL_KEYS.map((k) => [k, current.get(k)])) as Values;
  values[key] = generate(key);
  await writePrivate(credentialsPath(dataDir), values, 'replace');
  return new Credentials(values);
}

/** Parsed values, or null when the file does not exist. */
async function readValues(file: string): Promise<Partial<Values> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') {
      throw new NovaError(
        'DATA_DIR_NOT_WRITABLE',
        `The data directory ${path.dirname(file)} is not a directory (part of its path is a file).`,
        {
          fix: 'Choose another data directory with --data-dir or NOVA_DATA_DIR.',
          cause: err,
        },
      );
    }
    throw unreadable(file, (err as Error).message, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw unreadable(file, 'it is not valid JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw unreadable(file, 'it is not a JSON object');
  }
  const obj = parsed as Record<string, unknown>;
  if (obj.version !== undefined && obj.version !== CREDENTIALS_VERSION) {
    throw unreadable(
      file,
      `it has version ${JSON.stringify(obj.version)}, this build reads version ${CREDENTIALS_VERSION}`,
    );
  }
  const values: Partial<Values> = {};
  for (const k of CREDENTIAL_KEYS) {
    const v = obj[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length < 16) {
      throw unreadable(
        file,
        `"${k}" is not a generated secret (expected a string of at least 16 characters)`,
      );
    }
    values[k] = v;
  }
  return values;
}

function unreadable(file: string, why: string, cause?: unknown): NovaError {
  return new NovaError(
    'SETTINGS_UNREADABLE',
    `The credentials file ${file} cannot be used: ${why}.`,
    {
      fix:
        `Restore ${file} from a backup. If it is lost, move it aside so new credentials are generated — ` +
        'servers already initialised with the old passwords (the native PostgreSQL cluster) must then be reset too.',
      cause,
    },
  );
}

/**
 * Writes atomically (temp file + rename, or link for a first create) with
 * mode 0600, then proves the mode stuck — some file systems (FAT, certain
 * network mounts) ignore it, and a world-readable password file must not
 * pass silently. Returns false when `create` lost a race.
 */
async function writePrivate(
  file: string,
  values: Values,
  mode: 'create' | 'replace',
): Promise<boolean> {
  const body = `${JSON.stringify({ version: CREDENTIALS_VERSION, updatedAt: new Date().toISOString(), ...values }, null, 2)}\n`;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, body, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600); // the umask may have narrowed, never widened — but be explicit
    if (mode === 'create') {
      try {
        await link(temp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
    } else {
      await rename(temp, file);
    }
  } catch (err) {
    throw new NovaError(
      'DATA_DIR_NOT_WRITABLE',
      `Cannot write the credentials file ${file}: ${(err as Error).message}.`,
      {
        fix: `Make ${path.dirname(file)} writable by this user, or choose another data directory with --data-dir.`,
        cause: err,
      },
    );
  } finally {
    await unlink(temp).catch(() => undefined); // gone already after rename
  }
  await ensurePrivateMode(file);
  return true;
}

/** Tightens a file that became group/world-readable, and fails if the file system will not keep 0600. */
async function ensurePrivateMode(file: string): Promise<void> {
  if (process.platform === 'win32') return; // ACLs, not mode bits; the data dir is per-user there
  if (((await stat(file)).mode & 0o777) === 0o600) return;
  await chmod(file, 0o600);
  const after = (await stat(file)).mode & 0o777;
  if (after !== 0o600) {
    throw new NovaError(
      'DATA_DIR_NOT_WRITABLE',
      `The credentials file ${file} cannot be made private (mode is ${after.toString(8)}, need 600).`,
      {
        fix: 'Put the data directory on a file system that supports Unix permissions (not FAT or a permission-less network mount).',
      },
    );
  }
}
