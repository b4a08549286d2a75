/**
 * The desktop window's security settings in one place, so the unit tests at
 * the Electron seam can assert exactly what the app uses (docs/ARCHITECTURE.md#security).
 */
import type { WebPreferences } from 'electron';

/** The renderer is served from this custom, privileged scheme — never file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'nova';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The page may load its own scripts and styles and nothing else: no inline
 * script, no eval, no network at all (`connect-src 'none'`) — everything it
 * needs comes through the preload bridge.
 */
export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** True for a URL of the bundled renderer (`app://nova/...`). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
