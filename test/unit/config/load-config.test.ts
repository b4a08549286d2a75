import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../../main/core/config/load-config.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-config-test-');

/** A working directory (for .env) and a data directory (for settings.json), both empty. */
async function setup(files: { dotenv?: string; settings?: unknown } = {}) {
  const root = await tempDir();
  const cwd = path.join(root, 'cwd');
  const dataDir = path.join(root, 'data');
  await mkdir(cwd);
  await mkdir(dataDir);
  if (files.dotenv !== undefined) await writeFile(path.join(cwd, '.env'), files.dotenv);
  if (files.settings !== undefined) {
    await writeFile(
      path.join(dataDir, 'settings.json'),
      typeof files.settings === 'string' ? files.settings : JSON.stringify(files.settings),
    );
  }
  return { root, cwd, dataDir };
}

async function failure(options: LoadConfigOptions): Promise<NovaError> {
  const err = await loadConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NovaError);
  return err as NovaError;
}

describe('loadConfig precedence', () => {
  it('takes flag > env > .env > settings file > default, and records each source', async () => {
    const { cwd, dataDir } = await setup({
      dotenv: 'NOVA_PORT=2222\nMONGODB_DB=from_dotenv\nREDIS_KEY_PREFIX=dotenv:\n',
      settings: {
        version: 1,
        settings: {
          NOVA_PORT: 1111,
          MONGODB_DB: 'from_settings',
          REDIS_KEY_PREFIX: 'settings:',
          POSTGRES_POOL_MAX: 7,
        },
      },
    });
    const { config, sources } = await loadConfig({
      dataDir,
      cwd,
      env: { NOVA_PORT: '3333', MONGODB_DB: 'from_env' },
      overrides: { NOVA_PORT: 4444 },
    });
    expect([config.NOVA_PORT, sources.NOVA_PORT]).toEqual([4444, 'flag']);
    expect([config.MONGODB_DB, sources.MONGODB_DB]).toEqual(['from_env', 'env']);
    expect([config.REDIS_KEY_PREFIX, sources.REDIS_KEY_PREFIX]).toEqual(['dotenv:', 'dotenv']);
    expect([config.POSTGRES_POOL_MAX, sources.POSTGRES_POOL_MAX]).toEqual([7, 'settings']);
    expect([config.NOVA_HOST, sources.NOVA_HOST]).toEqual(['127.0.0.1', 'default']);
    expect([config.NOVA_DATA_DIR, sources.NOVA_DATA_DIR]).toEqual([dataDir, 'flag']);
  });

  it('falls through each layer as the stronger ones are removed', async () => {
    const { cwd, dataDir } = await setup({
      dotenv: 'NOVA_PORT=2222\n',
      settings: { version: 1, settings: { NOVA_PORT: 1111 } },
    });
    expect((await loadConfig({ dataDir, cwd, env: { NOVA_PORT: '3333' } })).config.NOVA_PORT).toBe(
      3333,
    );
    expect((await loadConfig({ dataDir, cwd, env: {} })).config.NOVA_PORT).toBe(2222);
    await writeFile(path.join(cwd, '.env'), '');
    expect((await loadConfig({ dataDir, cwd, env: {} })).config.NOVA_PORT).toBe(1111);
    await writeFile(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ version: 1, settings: {} }),
    );
    expect((await loadConfig({ dataDir, cwd, env: {} })).config.NOVA_PORT).toBe(4730);
  });

  it('treats empty values as unset, so `POSTGRES_URL=` in .env means "not configured"', async () => {
    const { cwd, dataDir } = await setup({ dotenv: 'POSTGRES_URL=\nNOVA_PORT=\n' });
    const { config, sources } = await loadConfig({ dataDir, cwd, env: { NOVA_HOST: '' } });
    expect(config.POSTGRES_URL).toBeUndefined();
    expect([config.NOVA_PORT, sources.NOVA_PORT]).toEqual([4730, 'default']);
    expect(config.NOVA_HOST).toBe('127.0.0.1');
  });

  it('reads only known keys from the environment and never writes .env into process.env', async () => {
    const { cwd, dataDir } = await setup({
      dotenv: 'NOVA_PROFILE=embedded\nNOVA_TEST_ONLY_MARKER=1\n',
    });
    const { config, warnings } = await loadConfig({
      dataDir,
      cwd,
      env: { PATH: '/usr/bin', HOME: '/root', SOME_OTHER_APP_SETTING: 'x' },
    });
    expect(Object.keys(config)).not.toContain('PATH');
    expect(warnings.join('\n')).not.toMatch(/PATH|HOME|SOME_OTHER_APP_SETTING/);
    expect(process.env.NOVA_TEST_ONLY_MARKER).toBeUndefined();
  });

  it('takes the data dir from --data-dir, then NOVA_DATA_DIR, then the OS default, creating it 0700', async () => {
    const { root, cwd } = await setup();
    const fromEnv = await loadConfig({ cwd, env: { NOVA_DATA_DIR: path.join(root, 'env-dir') } });
    expect([fromEnv.config.NOVA_DATA_DIR, fromEnv.sources.NOVA_DATA_DIR]).toEqual([
      path.join(root, 'env-dir'),
      'env',
    ]);
    expect((await stat(path.join(root, 'env-dir'))).mode & 0o777).toBe(0o700);

    const flagWins = await loadConfig({
      cwd,
      dataDir: 'relative/flag-dir',
      env: { NOVA_DATA_DIR: path.join(root, 'env-dir') },
    });
    expect(flagWins.config.NOVA_DATA_DIR).toBe(path.join(cwd, 'relative', 'flag-dir'));

    if (process.platform === 'linux') {
      const byDefault = await loadConfig({ cwd, env: { XDG_DATA_HOME: path.join(root, 'xdg') } });
      expect([byDefault.config.NOVA_DATA_DIR, byDefault.sources.NOVA_DATA_DIR]).toEqual([
        path.join(root, 'xdg', 'nova-db'),
        'default',
      ]);
    }
    const tilde = await loadConfig({ cwd, env: { HOME: root, NOVA_DATA_DIR: '~/tilde-dir' } });
    expect(tilde.config.NOVA_DATA_DIR).toBe(path.join(root, 'tilde-dir'));
  });

  it('resolves the SQLite file to <data dir>/nova.sqlite, or SQLITE_FILE relative to where it was written', async () => {
    const { cwd, dataDir } = await setup();
    expect((await loadConfig({ dataDir, cwd, env: {} })).config.SQLITE_FILE).toBe(
      path.join(dataDir, 'nova.sqlite'),
    );
    expect(
      (await loadConfig({ dataDir, cwd, env: { SQLITE_FILE: 'db/app.sqlite' } })).config
        .SQLITE_FILE,
    ).toBe(path.join(cwd, 'db', 'app.sqlite'));
    await writeFile(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ version: 1, settings: { SQLITE_FILE: 'kept.sqlite' } }),
    );
    expect((await loadConfig({ dataDir, cwd, env: {} })).config.SQLITE_FILE).toBe(
      path.join(dataDir, 'kept.sqlite'),
    );
  });
});

describe('loadConfig errors', () => {
  it('names the variable, the problem, the value and its source for each bad setting, all at once', async () => {
    const { cwd, dataDir } = await setup({
      dotenv: 'POSTGRES_URL=http://x\n',
      settings: { version: 1, settings: { NOVA_PROFILE: 'cloud' } },
    });
    const err = await failure({ dataDir, cwd, env: { NOVA_PORT: 'abc', MONGODB_TLS: 'maybe' } });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('4 settings to fix');
    expect(err.message).toContain('NOVA_PORT: must be a number (got "abc", from the environment)');
    expect(err.message).toContain(
      `POSTGRES_URL: must be a URL starting with postgres:// or postgresql:// (got "http://x", from ${path.join(cwd, '.env')})`,
    );
    expect(err.message).toContain(
      `NOVA_PROFILE: must be one of embedded, docker, native, external (got "cloud", from ${path.join(dataDir, 'settings.json')})`,
    );
    expect(err.message).toContain('MONGODB_TLS: must be one of');
    expect(err.fix).toContain('.env.example');
  });

  it('says which URL is missing for an external profile', async () => {
    const { cwd, dataDir } = await setup();
    const err = await failure({
      dataDir,
      cwd,
      env: { NOVA_PROFILE: 'external', MONGODB_URL: 'mongodb://m', REDIS_URL: 'redis://r' },
    });
    expect(err.message).toBe(
      'Invalid configuration: POSTGRES_URL: is required when PostgreSQL uses the external profile (not set)',
    );
  });

  it('names the command-line flag when the bad value came from one', async () => {
    const { cwd, dataDir } = await setup();
    const err = await failure({
      dataDir,
      cwd,
      env: {},
      overrides: { NOVA_PORT: '70000' },
      flagNames: { NOVA_PORT: '--port' },
    });
    expect(err.message).toBe(
      'Invalid configuration: NOVA_PORT: must be at most 65535 (got "70000", from --port on the command line)',
    );
  });

  it('never echoes a password from a connection URL', async () => {
    const { cwd, dataDir } = await setup();
    const err = await failure({
      dataDir,
      cwd,
      env: {
        POSTGRES_URL: 'http://nova:hunter2@db.example.com/nova',
        REDIS_URL: 'mysql://u:hunter2@h',
      },
    });
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('http://nova:***@db.example.com/nova');
    expect(err.message).toContain('mysql://u:***@h');
  });

  it('refuses an empty --data-dir', async () => {
    const { cwd } = await setup();
    const err = await failure({ cwd, env: {}, dataDir: '' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(
      'NOVA_DATA_DIR: must be a directory path (got "", from --data-dir on the command line)',
    );
  });

  // Tests run as root, which ignores permission bits, so chmod cannot make a
  // directory unwritable here; a path through a regular file (ENOTDIR) or a
  // file where the directory should be (EEXIST) fails for root too.
  it('reports a data dir under a regular file as not writable, naming it and the way out', async () => {
    const { root, cwd } = await setup();
    await writeFile(path.join(root, 'a-file'), 'x');
    const dataDir = path.join(root, 'a-file', 'nova');
    const err = await failure({ cwd, env: {}, dataDir });
    expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
    expect(err.message).toContain(dataDir);
    expect(err.message).toContain('part of the path is a file');
    expect(err.fix).toContain('--data-dir');
    expect(err.fix).toContain('NOVA_DATA_DIR');
  });

  // Node's recursive mkdir spins forever when a level fails with ENOENT although its parent
  // exists (as under /proc): the data dir is created level by level instead.
  it.runIf(process.platform === 'linux')(
    'reports a data dir the file system refuses to create (under /proc) instead of hanging',
    async () => {
      const { cwd } = await setup();
      const err = await failure({ cwd, env: {}, dataDir: '/proc/nova-forbidden/data' });
      expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
      expect(err.message).toContain('/proc/nova-forbidden/data');
    },
    5_000,
  );

  it('reports a data dir that is a file as not writable', async () => {
    const { root, cwd } = await setup();
    const dataDir = path.join(root, 'plain-file');
    await writeFile(dataDir, 'x');
    const err = await failure({ cwd, env: { NOVA_DATA_DIR: dataDir } });
    expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
    expect(err.message).toContain('is not a directory');
  });

  it('leaves no probe file behind in a writable data dir', async () => {
    const { cwd, dataDir } = await setup();
    await loadConfig({ dataDir, cwd, env: {} });
    expect(await readdir(dataDir)).toEqual([]);
  });
});

describe('loadConfig warnings', () => {
  it('names unknown keys in .env and the settings file, suggesting the likely intended one', async () => {
    const { cwd, dataDir } = await setup({
      dotenv: 'NOVA_PROT=4800\nPOSTGRES_URL=postgres://db/nova\n',
      settings: { version: 1, settings: { REDIS_URI: 'redis://x', COMPLETELY_UNRELATED: 1 } },
    });
    const { warnings, config } = await loadConfig({ dataDir, cwd, env: {} });
    expect(config.NOVA_PORT).toBe(4730);
    expect(warnings).toContain(
      `Unknown setting NOVA_PROT in ${path.join(cwd, '.env')} (did you mean NOVA_PORT?); it is ignored.`,
    );
    expect(warnings).toContain(
      `Unknown setting REDIS_URI in ${path.join(dataDir, 'settings.json')} (did you mean REDIS_URL?); it is ignored.`,
    );
    expect(warnings).toContain(
      `Unknown setting COMPLETELY_UNRELATED in ${path.join(dataDir, 'settings.json')}; it is ignored.`,
    );
    expect(warnings).toHaveLength(3);
  });

  it('ignores NOVA_DATA_DIR inside the settings file, with a warning saying why', async () => {
    const { cwd, dataDir } = await setup({
      settings: { version: 1, settings: { NOVA_DATA_DIR: '/elsewhere' } },
    });
    const { config, warnings } = await loadConfig({ dataDir, cwd, env: {} });
    expect(config.NOVA_DATA_DIR).toBe(dataDir);
    expect(warnings[0]).toMatch(/NOVA_DATA_DIR in .*settings\.json is ignored/);
  });

  it('reports a broken settings file instead of running on defaults', async () => {
    const { cwd, dataDir } = await setup({ settings: '{"version": 1, "settings": {' });
    const err = await failure({ dataDir, cwd, env: {} });
    expect(err.code).toBe('SETTINGS_UNREADABLE');
    const backups = (await readdir(dataDir)).filter((n) => n.startsWith('settings.json.broken-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(path.join(dataDir, backups[0]!), 'utf8')).toBe(
      '{"version": 1, "settings": {',
    );
  });
});
