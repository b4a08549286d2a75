import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './electron-mock.js';

vi.mock('electron', async () => (await import('./electron-mock.js')).electronMock);

const { createMainWindow, guardWebContents, lockDownSession } =
  await import('../../../main/electron/window.js');
const { APP_ENTRY_URL, DESKTOP_CSP, isAppUrl } = await import('../../../main/electron/security.js');

function navigationEvent() {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

describe('desktop window', () => {
  const win = createMainWindow({
    preloadPath: '/app/dist/preload/preload.cjs',
    kiosk: false,
  }) as unknown as FakeBrowserWindow;

  it('is created with context isolation, the sandbox, no Node integration and only the preload', () => {
    expect(win.options.webPreferences).toEqual({
      preload: '/app/dist/preload/preload.cjs',
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
    });
    expect(win.options.kiosk).toBe(false);
    expect(win.loadedUrl).toBe('app://nova/index.html');
    expect(APP_ENTRY_URL).toBe('app://nova/index.html');
  });

  it('opens full screen without chrome in kiosk mode', () => {
    const kiosk = createMainWindow({
      preloadPath: '/p.cjs',
      kiosk: true,
    }) as unknown as FakeBrowserWindow;
    expect(kiosk.options.kiosk).toBe(true);
    expect((kiosk.options.webPreferences as { sandbox: boolean }).sandbox).toBe(true);
  });

  it('cancels navigation and redirects to anything but the bundled renderer', () => {
    for (const event of ['will-navigate', 'will-redirect'] as const) {
      for (const url of [
        'https://example.org/',
        'file:///etc/passwd',
        'app://other/index.html',
        'http://127.0.0.1:4730/',
        'javascript:alert(1)',
      ]) {
        const e = navigationEvent();
        win.webContents.emit(event, e, url);
        expect(e.prevented, `${event} ${url}`).toBe(true);
      }
      const own = navigationEvent();
      win.webContents.emit(event, own, 'app://nova/index.html#/dashboard');
      expect(own.prevented).toBe(false);
    }
  });

  it('denies every new window and every <webview>', () => {
    for (const url of ['https://example.org/', 'app://nova/index.html', 'about:blank']) {
      expect(win.webContents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    }
    const attach = navigationEvent();
    win.webContents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });

  it('guards any web contents it is given the same way', () => {
    const other = new FakeBrowserWindow({}).webContents;
    guardWebContents(other as never);
    const e = navigationEvent();
    other.emit('will-navigate', e, 'https://evil.example/');
    expect(e.prevented).toBe(true);
  });

  it('refuses permissions and cancels every request that is not app://nova (no remote content)', () => {
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let beforeRequest:
      ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    lockDownSession({
      setPermissionRequestHandler: (h: typeof permission) => (permission = h),
      setPermissionCheckHandler: (h: typeof check) => (check = h),
      webRequest: { onBeforeRequest: (h: typeof beforeRequest) => (beforeRequest = h) },
    } as never);
    let granted: boolean | undefined;
    permission!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(check!()).toBe(false);
    const cancelled = (url: string) => {
      let answer: boolean | undefined;
      beforeRequest!({ url }, (r) => (answer = r.cancel));
      return answer;
    };
    expect(cancelled('https://cdn.example.org/x.js')).toBe(true);
    expect(cancelled('http://127.0.0.1:4730/api/app.info')).toBe(true);
    expect(cancelled('ws://127.0.0.1:4730/api/events')).toBe(true);
    expect(cancelled('app://nova/assets/index.js')).toBe(false);
  });

  it('sends a CSP without inline script, eval or network access', () => {
    const directives = Object.fromEntries(
      DESKTOP_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'none'",
      'object-src': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(DESKTOP_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(isAppUrl('app://nova/x')).toBe(true);
    expect(isAppUrl('app://nova.evil/x')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
