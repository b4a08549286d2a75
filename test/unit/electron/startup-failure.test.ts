/**
 * The desktop app when the SQLite engine does not load: exactly one dialog
 * with the cause and the fix, the same words on stderr, exit status 1, and
 * no desktop app started. Electron is the stand-in at the seam; the engine
 * failure is a real one (a module built for Electron 38's ABI, loaded here).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as SqliteEngineCheck from '../../../main/core/sqlite-engine-check.js';
import { APP_ID, PRODUCT_NAME } from '../../../main/electron/app-identity.js';
import { startupFailureText } from '../../../main/electron/startup-failure.js';
import { buildWrongAbiModule } from '../../support/native-modules.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nova-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wrongAbi = buildWrongAbiModule(dir, 139);

const shown: { title: string; body: string }[] = [];
const exits: number[] = [];
const runDesktopApp = vi.fn();

vi.mock('electron', () => ({
  app: {
    isPackaged: true,
    setAppUserModelId: () => undefined,
    whenReady: () => Promise.resolve(),
    exit: (code: number) => void exits.push(code),
  },
  dialog: { showErrorBox: (title: string, body: string) => void shown.push({ title, body }) },
}));
vi.mock('../../../main/electron/desktop-app.js', () => ({ runDesktopApp }));
// The real check, with better-sqlite3 pointed at the wrong-ABI module.
vi.mock('../../../main/core/sqlite-engine-check.js', async (importOriginal) => {
  const real = await importOriginal<typeof SqliteEngineCheck>();
  return {
    checkSqliteEngine: (host: Parameters<typeof real.checkSqliteEngine>[0]) =>
      real.checkSqliteEngine(host, () => new Database(':memory:', { nativeBinding: wrongAbi })),
  };
});

describe('desktop start-up with an engine built for another runtime', () => {
  it('shows one dialog with the cause and the fix, writes the same to stderr, exits 1, starts nothing', async () => {
    let written = '';
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    try {
      await import('../../../main/electron/index.js');
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      stderr.mockRestore();
    }
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('Nova DB cannot start');
    expect(shown[0]!.body).toContain(`built for ABI 139, this runtime needs ABI`);
    expect(shown[0]!.body).toContain(wrongAbi);
    expect(shown[0]!.body).toMatch(/\n\nHow to fix it: Reinstall Nova DB with the installer/);
    expect(written).toMatch(/^nova-db: Nova DB cannot start: .*\nfix: Reinstall Nova DB.*\n$/);
    expect(exits).toEqual([1]);
    expect(runDesktopApp).not.toHaveBeenCalled();
  });
});

describe('startupFailureText', () => {
  it('leaves out the fix section when there is no fix', () => {
    expect(startupFailureText({ message: 'Broken.' })).toEqual({
      title: 'Nova DB cannot start',
      body: 'Broken.',
      stderr: 'nova-db: Broken.\n',
    });
  });
});

describe('app identity', () => {
  it('is the one electron-builder.yml gives the installers (the NSIS uninstaller relies on it)', () => {
    const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
  });
});
