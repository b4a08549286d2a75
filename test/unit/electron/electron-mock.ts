/**
 * A stand-in for the 'electron' module at the seam (docs/ARCHITECTURE.md#tests: vi.mock
 * only there). It records what the app asks of Electron — window options,
 * IPC handlers, protocol handlers, web-contents listeners — so the tests
 * can assert them; nothing of Nova's own code is replaced.
 */
import { EventEmitter } from 'node:events';

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send = (): void => undefined;
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | undefined;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {}
}

export const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
export const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
export const privilegedSchemes: unknown[] = [];

export const electronMock = {
  BrowserWindow: FakeBrowserWindow,
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
      if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
      ipcHandlers.set(channel, handler);
    },
    removeHandler: (channel: string) => ipcHandlers.delete(channel),
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => privilegedSchemes.push(...schemes),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      protocolHandlers.set(scheme, handler),
  },
};
