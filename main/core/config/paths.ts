/**
 * Where Nova keeps its data when nobody says otherwise: the place each OS
 * reserves for per-user application data, so an install never writes into
 * the checkout or the current directory.
 */
import { homedir } from 'node:os';
import path from 'node:path';

/** The inputs the default depends on; injectable so every OS can be tested on any OS. */
export interface PlatformInfo {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

/** The OS app-data directory for Nova (the `--data-dir` default, docs/ARCHITECTURE.md#stable-interfaces). */
export function defaultDataDir(
  info: PlatformInfo = { platform: process.platform, env: process.env, home: homedir() },
): string {
  const { platform, env, home } = info;
  if (platform === 'win32') {
    // %APPDATA% is roaming app data; fall back to its usual place if a
    // stripped-down environment (service, CI) does not set it.
    const appData = nonEmpty(env.APPDATA) ?? path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Nova DB');
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', 'Nova DB');
  }
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, 'nova-db');
}

/**
 * Resolves a user-supplied path: `~` or `~/…` means the home directory (a
 * `.env` file or settings file is not expanded by a shell), relative paths
 * are taken from `base`.
 */
export function resolveUserPath(p: string, base: string, home: string = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return path.resolve(base, p);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
