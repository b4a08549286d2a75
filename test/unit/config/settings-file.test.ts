import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readSettings,
  upgrade,
  writeSettings,
  type SettingsMigration,
} from '../../../main/core/config/settings-file.js';
import { useTempDirs } from '../../support/temp-dirs.js';
import { rejection } from '../../support/rejection.js';

const tempDir = useTempDirs('nova-config-test-');

describe('settings file', () => {
  it('reads a missing file as empty', async () => {
    const dir = await tempDir();
    expect(await readSettings(dir)).toEqual({
      path: path.join(dir, 'settings.json'),
      exists: false,
      settings: {},
    });
  });

  it('writes the versioned layout atomically with mode 0600 and merges later writes', async () => {
    const dir = await tempDir();
    await writeSettings(dir, { NOVA_PORT: '4800', MONGODB_TLS: 'yes' });
    const after = await writeSettings(dir, { NOVA_PROFILE: 'docker' });
    expect(after).toEqual({ NOVA_PORT: 4800, MONGODB_TLS: true, NOVA_PROFILE: 'docker' });
    const file = path.join(dir, 'settings.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, settings: after });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']); // no temp file left behind
    expect((await readSettings(dir)).settings).toEqual(after);
  });

  it('removes a key written as null so its default applies again', async () => {
    const dir = await tempDir();
    await writeSettings(dir, { NOVA_PORT: 4800, NOVA_HOST: '0.0.0.0' });
    expect(await writeSettings(dir, { NOVA_PORT: null })).toEqual({ NOVA_HOST: '0.0.0.0' });
  });

  it('refuses unknown keys, bad values and NOVA_DATA_DIR, writing nothing', async () => {
    const dir = await tempDir();
    const err = await rejection(
      writeSettings(dir, {
        NOVA_PROT: 1,
        NOVA_PORT: 'abc',
        NOVA_DATA_DIR: '/x',
        NOVA_PROFILE: 'docker',
      }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(
      'NOVA_PROT: is not a known setting (did you mean NOVA_PORT?) (got "1")',
    );
    expect(err.message).toContain('NOVA_PORT: must be a number (got "abc")');
    expect(err.message).toContain('NOVA_DATA_DIR: cannot be stored in the settings file');
    expect(await readdir(dir)).toEqual([]);
  });

  it('upgrades a hand-written flat file (version 0) to the current layout', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ NOVA_PORT: 4800 }));
    expect(await readSettings(dir)).toMatchObject({
      exists: true,
      settings: { NOVA_PORT: 4800 },
      upgradedFrom: 0,
    });
    await writeSettings(dir, { NOVA_HOST: '127.0.0.2' });
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'))).toEqual({
      version: 1,
      settings: { NOVA_PORT: 4800, NOVA_HOST: '127.0.0.2' },
    });
  });

  it('runs a migration chain step by step and stops at a missing step', () => {
    const chain: Record<number, SettingsMigration> = {
      1: (f) => ({ version: 2, settings: f.settings, added: 'by v2' }),
      2: (f) => ({ ...f, version: 3, renamed: f.added }),
    };
    expect(upgrade({ version: 1, settings: { A: 1 } }, chain, 3)).toEqual({
      file: { version: 3, settings: { A: 1 }, added: 'by v2', renamed: 'by v2' },
      from: 1,
    });
    expect(upgrade({ version: 0 }, chain, 3)).toEqual({
      broken: 'no upgrade is known from layout version 0',
    });
    expect(upgrade({ version: 4, settings: {} }, chain, 3)).toEqual({ newer: 4 });
  });

  it.each([
    ['bad JSON', '{ "version": 1, '],
    ['an array', '[1, 2]'],
    ['a string', '"settings"'],
    ['a non-integer version', '{"version": "1", "settings": {}}'],
    ['settings that are not an object', '{"version": 1, "settings": []}'],
    ['settings without a version', '{"settings": {}}'],
  ])(
    'backs up and reports a file with %s, naming both paths, and leaves it in place',
    async (_what, content) => {
      const dir = await tempDir();
      const file = path.join(dir, 'settings.json');
      await writeFile(file, content);
      const err = await rejection(readSettings(dir));
      expect(err.code).toBe('SETTINGS_UNREADABLE');
      const backups = (await readdir(dir)).filter((n) => n.startsWith('settings.json.broken-'));
      expect(backups).toHaveLength(1);
      const backup = path.join(dir, backups[0]!);
      expect(err.message).toContain(file);
      expect(err.message).toContain(backup);
      expect(await readFile(backup, 'utf8')).toBe(content);
      expect((await stat(backup)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, 'utf8')).toBe(content); // never silently replaced
    },
  );

  it('refuses to overwrite a broken file, and does not pile up identical backups', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), 'not json');
    await rejection(readSettings(dir));
    const err = await rejection(writeSettings(dir, { NOVA_PORT: 4800 }));
    expect(err.code).toBe('SETTINGS_UNREADABLE');
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe('not json');
    expect((await readdir(dir)).filter((n) => n.includes('.broken-'))).toHaveLength(1);
  });

  it('reports a file from a newer version without calling it broken', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ version: 99, settings: {} }));
    const err = await rejection(readSettings(dir));
    expect(err.code).toBe('SETTINGS_UNREADABLE');
    expect(err.message).toContain('newer Nova (layout version 99');
    expect(err.fix).toContain('Upgrade');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });
});
