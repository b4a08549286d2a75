/**
 * The main window and the guards on its web contents: navigation away from
 * the bundled renderer is cancelled, new windows are denied, <webview> is
 * refused, permission requests are denied, and any request that is not for
 * the app:// renderer is cancelled — the window shows no remote content.
 */
import { BrowserWindow, type Session, type WebContents } from 'electron';
import { APP_ENTRY_URL, isAppUrl, secureWebPreferences } from './security.js';

export interface MainWindowOptions {
  preloadPath: string;
  kiosk: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 760,
    minHeight: 560,
    show: false,
    kiosk: options.kiosk,
    title: 'Nova DB',
    backgroundColor: '#f5f7fa',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  guardWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

export function guardWebContents(contents: WebContents): void {
  const blockForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', blockForeign);
  contents.on('will-redirect', blockForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Session-wide: no permissions (camera, notifications… main shows those), no request outside app://. */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !(isAppUrl(details.url) || details.url.startsWith('devtools://')) });
  });
}
