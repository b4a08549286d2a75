import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveUserPath } from '../../../main/core/config/paths.js';

describe('defaultDataDir', () => {
  it('uses $XDG_DATA_HOME on Linux when it is absolute', () => {
    expect(
      defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/data/xdg' }, home: '/home/ann' }),
    ).toBe('/data/xdg/nova-db');
  });

  it('falls back to ~/.local/share on Linux when XDG_DATA_HOME is unset, empty or relative', () => {
    for (const env of [{}, { XDG_DATA_HOME: '' }, { XDG_DATA_HOME: 'relative/dir' }]) {
      expect(defaultDataDir({ platform: 'linux', env, home: '/home/ann' })).toBe(
        '/home/ann/.local/share/nova-db',
      );
    }
  });

  it('uses Application Support on macOS', () => {
    expect(defaultDataDir({ platform: 'darwin', env: {}, home: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/Nova DB',
    );
  });

  it('uses %APPDATA% on Windows, or its usual place when unset', () => {
    expect(
      defaultDataDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' },
        home: 'C:\\Users\\ann',
      }),
    ).toBe('C:\\Users\\ann\\AppData\\Roaming\\Nova DB');
    expect(defaultDataDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\Nova DB',
    );
  });
});

describe('resolveUserPath', () => {
  it('expands ~ and resolves relative paths against the base', () => {
    expect(resolveUserPath('~', '/base', '/home/ann')).toBe('/home/ann');
    expect(resolveUserPath('~/nova', '/base', '/home/ann')).toBe('/home/ann/nova');
    expect(resolveUserPath('data/nova', '/base', '/home/ann')).toBe('/base/data/nova');
    expect(resolveUserPath('/abs/nova', '/base', '/home/ann')).toBe('/abs/nova');
  });
});
