/**
 * The SQLite engine that does not load: real loader failures (a module
 * built for another ABI, a missing file, a file that is no module) turned
 * into one NATIVE_MODULE_FAILED error with the cause and the fix for the
 * way Nova runs; unrelated errors left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { checkSqliteEngine } from '../../../main/core/sqlite-engine-check.js';
import {
  cliEngineHost,
  sqliteEngineError,
  type EngineHost,
} from '../../../main/core/sqlite-engine-error.js';
import { buildWrongAbiModule, writeNotAModule } from '../../support/native-modules.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nova-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What better-sqlite3 throws when asked to use `addon`. */
function loadError(addon: string): unknown {
  try {
    new Database(':memory:', { nativeBinding: addon }).close();
  } catch (err) {
    return err;
  }
  throw new Error(`${addon} loaded`);
}

const HOSTS: EngineHost[] = ['node', 'electron-dev', 'electron-packaged', 'single-binary'];

describe('sqliteEngineError', () => {
  const wrongAbi = buildWrongAbiModule(mkdtempSync(path.join(dir, 'abi-')), 139);
  const notAModule = writeNotAModule(mkdtempSync(path.join(dir, 'text-')));
  const missing = path.join(dir, 'gone', 'better_sqlite3.node');

  it('names both ABIs and the file when the module was built for another runtime', () => {
    const err = sqliteEngineError(loadError(wrongAbi), 'electron-packaged');
    expect(err).toBeInstanceOf(NovaError);
    expect(err!.code).toBe('NATIVE_MODULE_FAILED');
    expect(err!.message).toContain(wrongAbi);
    expect(err!.message).toContain(
      `built for ABI 139, this runtime needs ABI ${process.versions.modules}`,
    );
    expect(err!.message).toMatch(/^Nova DB cannot start: its SQLite engine/);
    expect(err!.fix).toMatch(/Reinstall Nova DB with the installer/);
  });

  it('gives the fix that matches how Nova runs', () => {
    const fixes = Object.fromEntries(
      HOSTS.map((host) => [host, sqliteEngineError(loadError(wrongAbi), host)!.fix]),
    );
    expect(fixes.node).toContain('npm rebuild better-sqlite3');
    expect(fixes.node).toContain(process.version);
    expect(fixes['electron-dev']).toContain('npx @electron/rebuild -f -o better-sqlite3');
    expect(fixes['electron-dev']).toContain('npm start -- --headless');
    expect(fixes['electron-packaged']).toMatch(/Reinstall/);
    expect(fixes['single-binary']).toMatch(/NOVA_CACHE_DIR/);
    expect(new Set(Object.values(fixes)).size).toBe(HOSTS.length);
  });

  it('says the file is missing when it is not there', () => {
    const err = sqliteEngineError(loadError(missing), 'node');
    expect(err!.message).toContain('is missing from this installation');
    expect(err!.message).toContain(missing);
    expect(err!.fix).toContain('npm rebuild better-sqlite3');
  });

  it('says "another operating system or processor" for a file that is no module for this system', () => {
    const err = sqliteEngineError(loadError(notAModule), 'single-binary');
    expect(err!.message).toMatch(/another operating system or processor \(invalid ELF header\)/);
    expect(err!.message).toContain(notAModule);
  });

  it('finds the failure in the cause chain, and keeps an existing NATIVE_MODULE_FAILED as it is', () => {
    const wrapped = new NovaError('DB_CORRUPT', 'opening failed', { cause: loadError(wrongAbi) });
    expect(sqliteEngineError(wrapped, 'node')!.code).toBe('NATIVE_MODULE_FAILED');
    const own = new NovaError('NATIVE_MODULE_FAILED', 'no engine bundled');
    expect(sqliteEngineError(own, 'single-binary')).toBe(own);
  });

  // glibc's dlerror() texts; these cannot be provoked on the machine that built the module.
  it.each([
    [
      "/opt/nova/better_sqlite3.node: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /opt/nova/better_sqlite3.node)",
      /needs GLIBC_2\.38, which this system lacks/,
    ],
    [
      '/home/u/.cache/nova-db/assets-0123/better_sqlite3.node: failed to map segment from shared object',
      /mounted noexec/,
    ],
  ])('reads the dynamic loader: %s', (message, expected) => {
    const err = Object.assign(new Error(message), { code: 'ERR_DLOPEN_FAILED' });
    const result = sqliteEngineError(err, 'single-binary')!;
    expect(result.message).toMatch(expected);
    expect(result.message).toContain('/better_sqlite3.node');
  });

  it('leaves errors that are not about the engine alone', () => {
    expect(
      sqliteEngineError(new Error('SQLITE_CORRUPT: database disk image is malformed'), 'node'),
    ).toBeUndefined();
    expect(
      sqliteEngineError(
        Object.assign(new Error("Cannot find module 'js-yaml'"), { code: 'MODULE_NOT_FOUND' }),
        'node',
      ),
    ).toBeUndefined();
    expect(sqliteEngineError('a string', 'node')).toBeUndefined();
  });
});

describe('checkSqliteEngine', () => {
  it('passes with the engine this checkout built (under vitest: Node.js, not a single binary)', () => {
    expect(cliEngineHost()).toBe('node');
    expect(checkSqliteEngine('node')).toBeUndefined();
  });

  it('returns the explained failure of a loader that fails, and rethrows unrelated errors', () => {
    const wrongAbi = buildWrongAbiModule(mkdtempSync(path.join(dir, 'abi2-')), 121);
    const problem = checkSqliteEngine(
      'node',
      () => new Database(':memory:', { nativeBinding: wrongAbi }),
    );
    expect(problem?.message).toContain('built for ABI 121');
    expect(() =>
      checkSqliteEngine('node', () => {
        throw new RangeError('something else');
      }),
    ).toThrow(RangeError);
  });
});
