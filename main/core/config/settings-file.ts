/**
 * `<data dir>/settings.json`: what the admin chose in the UI or with the CLI.
 *
 * The file is versioned (`{ "version": 1, "settings": { KEY: value } }`) and
 * older versions are upgraded through SETTINGS_MIGRATIONS, so a later release
 * can change the layout without losing anyone's settings. Writes are atomic
 * (temp file + rename) and private (0600). A file that cannot be understood is
 * copied aside and reported — never silently replaced, since it may hold the
 * only record of a production connection string.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NovaError } from '../errors.js';
import {
  describeIssue,
  formatProblems,
  suggestKey,
  type SettingProblem,
} from './config-messages.js';
import { CONFIG_KEYS, configSchema } from './schema.js';

export const SETTINGS_FILE_NAME = 'settings.json';
/** The layout this build reads and writes. */
export const SETTINGS_VERSION = 1;

export type SettingsValues = Record<string, unknown>;

/**
 * Upgrades a parsed file from version N (the key) to N + 1. Add an entry
 * here, and bump SETTINGS_VERSION, whenever the layout changes.
 */
export type SettingsMigration = (file: Record<string, unknown>) => Record<string, unknown>;

export const SETTINGS_MIGRATIONS: Readonly<Record<number, SettingsMigration>> = {
  // Version 0: a flat `{ KEY: value }` object without the envelope — what a
  // person writes by hand, copying lines from .env.example.
  0: (flat) => ({ version: 1, settings: flat }),
};

const currentLayout = z.object({
  version: z.literal(SETTINGS_VERSION),
  settings: z.record(z.string(), z.unknown()),
});

/** What readSettings found. */
export interface SettingsRead {
  path: string;
  /** False when there is no settings file yet (first start). */
  exists: boolean;
  settings: SettingsValues;
  /** The version on disk when it was older and upgraded in memory. */
  upgradedFrom?: number;
}

export function settingsPath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE_NAME);
}

/** Reads and upgrades the settings file; a missing file is an empty one. */
export async function readSettings(dataDir: string): Promise<SettingsRead> {
  const file = settingsPath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: the data dir itself is missing or a file; there are no settings in it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: file, exists: false, settings: {} };
    throw new NovaError(
      'SETTINGS_UNREADABLE',
      `Cannot read the settings file ${file}: ${(err as Error).message}.`,
      {
        fix: `Make ${file} readable by this user, or choose another data directory with --data-dir.`,
        cause: err,
      },
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return broken(file, `it is not valid JSON (${(err as Error).message})`, err);
  }
  const upgraded = upgrade(parsed, SETTINGS_MIGRATIONS, SETTINGS_VERSION);
  if ('newer' in upgraded) {
    throw new NovaError(
      'SETTINGS_UNREADABLE',
      `The settings file ${file} was written by a newer Nova (layout version ${upgraded.newer}; this one understands up to ${SETTINGS_VERSION}).`,
      { fix: 'Upgrade Nova DB, or choose another data directory with --data-dir.' },
    );
  }
  if ('broken' in upgraded) return broken(file, upgraded.broken);
  const layout = currentLayout.safeParse(upgraded.file);
  if (!layout.success) {
    return broken(file, 'it does not have the expected { "version": 1, "settings": { … } } layout');
  }
  return {
    path: file,
    exists: true,
    settings: layout.data.settings,
    ...(upgraded.from !== SETTINGS_VERSION ? { upgradedFrom: upgraded.from } : {}),
  };
}

/**
 * Runs the migration chain on a parsed file. Exported with the table as a
 * parameter so the chain itself can be tested beyond today's single step.
 */
export function upgrade(
  parsed: unknown,
  migrations: Readonly<Record<number, SettingsMigration>>,
  target: number,
): { file: Record<string, unknown>; from: number } | { broken: string } | { newer: number } {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { broken: 'it is not a JSON object' };
  }
  let file = parsed as Record<string, unknown>;
  let version: number;
  if (!('version' in file)) {
    if ('settings' in file) return { broken: 'it has "settings" but no "version"' };
    version = 0;
  } else if (
    typeof file.version === 'number' &&
    Number.isInteger(file.version) &&
    file.version >= 0
  ) {
    version = file.version;
  } else {
    return { broken: `its "version" is not a whole number (got ${JSON.stringify(file.version)})` };
  }
  const from = version;
  if (version > target) return { newer: version };
  while (version < target) {
    const step = migrations[version];
    if (!step) return { broken: `no upgrade is known from layout version ${version}` };
    file = step(file);
    version += 1;
  }
  return { file, from };
}

/**
 * Merges `partial` into the settings file after checking every key and
 * value against the config schema. `null` (or undefined) removes a key so
 * its default applies again. Returns the settings now on disk.
 */
export async function writeSettings(
  dataDir: string,
  partial: SettingsValues,
): Promise<SettingsValues> {
  const current = await readSettings(dataDir);
  const shape = configSchema.shape as Record<string, z.ZodType>;
  const problems: SettingProblem[] = [];
  const next: SettingsValues = { ...current.settings };
  for (const [key, value] of Object.entries(partial)) {
    if (!Object.hasOwn(shape, key)) {
      const suggestion = suggestKey(key, CONFIG_KEYS);
      problems.push({
        key,
        problem: `is not a known setting${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
        value,
      });
      continue;
    }
    if (key === 'NOVA_DATA_DIR') {
      problems.push({
        key,
        problem:
          'cannot be stored in the settings file, which lives inside the data directory; use --data-dir or NOVA_DATA_DIR',
        value,
      });
      continue;
    }
    if (value === null || value === undefined) {
      delete next[key];
      continue;
    }
    const result = shape[key]!.safeParse(value);
    if (!result.success) {
      problems.push({ key, problem: describeIssue(result.error.issues[0]!), value });
      continue;
    }
    // Store the normalised value ("4800" → 4800, "yes" → true) so the file reads cleanly.
    next[key] = result.data;
  }
  if (problems.length) {
    throw new NovaError(
      'CONFIG_INVALID',
      formatProblems(problems, { dotenvFile: '', settingsFile: current.path }),
      {
        fix: 'Correct the settings above; every setting is documented in .env.example.',
      },
    );
  }
  await writeFileAtomic(
    current.path,
    `${JSON.stringify({ version: SETTINGS_VERSION, settings: next }, null, 2)}\n`,
  );
  return next;
}

/** Writes via a private temp file in the same directory, then renames, so readers never see half a file. */
async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Copies the unreadable file aside (once per distinct content) and reports both paths. */
async function broken(file: string, why: string, cause?: unknown): Promise<never> {
  const backup = await backupBrokenFile(file);
  throw new NovaError(
    'SETTINGS_UNREADABLE',
    `The settings file ${file} cannot be used: ${why}. A copy was saved as ${backup}.`,
    {
      fix: `Correct or delete ${file} (Nova then starts with default settings); the copy ${backup} keeps the original.`,
      cause,
    },
  );
}

async function backupBrokenFile(file: string): Promise<string> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.broken-`;
  const content = await readFile(file);
  // Every start re-reads the same broken file; reuse an identical copy
  // instead of piling up one per start.
  for (const name of (await readdir(dir)).filter((n) => n.startsWith(prefix)).sort()) {
    const existing = await readFile(path.join(dir, name)).catch(() => undefined);
    if (existing?.equals(content)) return path.join(dir, name);
  }
  const backup = path.join(dir, `${prefix}${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await copyFile(file, backup);
  await chmod(backup, 0o600);
  return backup;
}
