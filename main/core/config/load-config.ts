/**
 * Builds the one NovaConfig every part of the program uses (docs/ARCHITECTURE.md#configuration).
 *
 * Precedence, strongest first: command-line flags (`overrides`) > process
 * environment > `.env` in the working directory > `<data dir>/settings.json`
 * > schema defaults. Each key remembers where its value came from, so a bad
 * value is reported together with the place to fix it.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { NovaError } from '../errors.js';
import {
  describeIssue,
  formatProblems,
  unknownKeyWarning,
  type ConfigSource,
  type SettingProblem,
  type SourceLabels,
} from './config-messages.js';
import { ensureWritableDataDir } from './data-dir.js';
import { defaultDataDir, resolveUserPath } from './paths.js';
import { CONFIG_KEYS, configSchema, type NovaConfig } from './schema.js';
import { readSettings } from './settings-file.js';
import { resolveSqliteFile } from './sqlite-path.js';

export type { ConfigSource } from './config-messages.js';
export type ConfigKey = keyof NovaConfig;

export interface LoadConfigOptions {
  /** `--data-dir`; wins over NOVA_DATA_DIR. */
  dataDir?: string;
  /** Defaults to process.env; only keys the schema knows are read from it. */
  env?: Record<string, string | undefined>;
  /** Where `.env` is looked for and relative paths are resolved; defaults to process.cwd(). */
  cwd?: string;
  /** Values given as command-line flags; undefined entries are ignored. */
  overrides?: Partial<Record<ConfigKey, unknown>>;
  /** How each overridden key is spelled on the command line, so errors can say `--port`. */
  flagNames?: Partial<Record<ConfigKey, string>>;
}

export interface LoadedConfig {
  /** Validated; NOVA_DATA_DIR and SQLITE_FILE are absolute paths. */
  config: NovaConfig;
  sources: Record<ConfigKey, ConfigSource>;
  /** Things worth telling the admin that do not stop the program (unknown keys, unreadable .env). */
  warnings: string[];
  settingsFile: string;
  /** The `.env` file that was read, or null when there is none. */
  dotenvFile: string | null;
}

/** Settings that name files; relative values are resolved against the place they were written in. */
const PATH_KEYS: readonly ConfigKey[] = [
  'SQLITE_FILE',
  'POSTGRES_SSL_CA',
  'MONGODB_TLS_CA',
  'REDIS_TLS_CA',
];

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const warnings: string[] = [];
  const known = new Set<string>(CONFIG_KEYS);

  const dotenvPath = path.join(cwd, '.env');
  const dotenvValues = await readDotenv(dotenvPath, warnings);
  for (const key of Object.keys(dotenvValues ?? {})) {
    if (!known.has(key)) warnings.push(unknownKeyWarning(key, dotenvPath, CONFIG_KEYS));
  }

  // Layers, strongest first. Empty strings count as unset: `POSTGRES_URL=`
  // in a .env file or an exported-but-empty variable means "not configured".
  const layers: [ConfigSource, Record<string, unknown>][] = [
    [
      'flag',
      definedOnly({
        ...options.overrides,
        NOVA_DATA_DIR: options.dataDir ?? options.overrides?.NOVA_DATA_DIR,
      }),
    ],
    ['env', nonEmptyKnown(env, known)],
    ['dotenv', nonEmptyKnown(dotenvValues ?? {}, known)],
  ];
  const labelsBase = {
    dotenvFile: dotenvPath,
    flagNames: { NOVA_DATA_DIR: '--data-dir', ...options.flagNames },
  };

  // The data dir must be known before the settings file (which lives in it).
  const dataDirPick = pick('NOVA_DATA_DIR', layers);
  if (dataDirPick && (typeof dataDirPick.value !== 'string' || dataDirPick.value === '')) {
    const problem: SettingProblem = {
      key: 'NOVA_DATA_DIR',
      problem: 'must be a directory path',
      value: dataDirPick.value,
      source: dataDirPick.source,
    };
    throw invalid([problem], { ...labelsBase, settingsFile: 'settings.json' });
  }
  const home = env.HOME || env.USERPROFILE || homedir();
  const dataDir = dataDirPick
    ? resolveUserPath(dataDirPick.value as string, cwd, home)
    : defaultDataDir({ platform: process.platform, env, home });
  await ensureWritableDataDir(dataDir);

  const settingsRead = await readSettings(dataDir);
  const labels: SourceLabels = { ...labelsBase, settingsFile: settingsRead.path };
  const settingsValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settingsRead.settings)) {
    if (key === 'NOVA_DATA_DIR') {
      warnings.push(
        `NOVA_DATA_DIR in ${settingsRead.path} is ignored: the settings file lives inside the data directory; use --data-dir or NOVA_DATA_DIR.`,
      );
    } else if (!known.has(key)) {
      warnings.push(unknownKeyWarning(key, settingsRead.path, CONFIG_KEYS));
    } else if (value !== null && value !== undefined) {
      settingsValues[key] = value;
    }
  }
  layers.push(['settings', settingsValues]);

  const raw: Record<string, unknown> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of CONFIG_KEYS) {
    const chosen = pick(key, layers);
    sources[key] = chosen?.source ?? 'default';
    if (chosen) raw[key] = chosen.value;
  }
  raw.NOVA_DATA_DIR = dataDir;
  sources.NOVA_DATA_DIR = dataDirPick?.source ?? 'default';

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = new Map<string, SettingProblem>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '(configuration)');
      if (problems.has(key)) continue; // one problem per variable is enough to fix it
      problems.set(key, {
        key,
        problem: describeIssue(issue),
        value: raw[key],
        source: sources[key as ConfigKey] ?? 'default',
      });
    }
    throw invalid([...problems.values()], labels);
  }

  const config: NovaConfig = { ...parsed.data };
  for (const key of PATH_KEYS) {
    const value = config[key];
    if (typeof value !== 'string' || looksLikePem(value)) continue;
    // A path in the settings file is relative to the data dir it lives in;
    // one typed in a shell or .env is relative to where the user stood.
    (config as Record<string, unknown>)[key] = resolveUserPath(
      value,
      sources[key] === 'settings' ? dataDir : cwd,
      home,
    );
  }
  config.SQLITE_FILE = resolveSqliteFile(config);

  return {
    config,
    sources,
    warnings,
    settingsFile: settingsRead.path,
    dotenvFile: dotenvValues ? dotenvPath : null,
  };
}

function invalid(problems: SettingProblem[], labels: SourceLabels): NovaError {
  return new NovaError('CONFIG_INVALID', formatProblems(problems, labels), {
    fix: 'Correct each setting named above, or remove it to use its default; every setting is documented in .env.example.',
  });
}

async function readDotenv(
  file: string,
  warnings: string[],
): Promise<Record<string, string> | null> {
  try {
    return dotenv.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    // A .env we cannot read is worth saying, not worth refusing to start:
    // everything it could set can also come from the environment.
    warnings.push(`Could not read ${file} (${(err as Error).message}); it is ignored.`);
    return null;
  }
}

function pick(
  key: string,
  layers: [ConfigSource, Record<string, unknown>][],
): { source: ConfigSource; value: unknown } | undefined {
  for (const [source, values] of layers) {
    if (Object.hasOwn(values, key)) return { source, value: values[key] };
  }
  return undefined;
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== null),
  );
}

function nonEmptyKnown(
  values: Record<string, string | undefined>,
  known: Set<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (known.has(k) && v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function looksLikePem(value: string): boolean {
  return value.includes('-----BEGIN');
}
