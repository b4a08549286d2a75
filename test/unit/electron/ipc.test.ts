import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ipcChannel,
  METHOD_NAMES,
  type CallResult,
  type MethodName,
} from '../../../shared-contract/index.js';
import { FakeWebContents, ipcHandlers } from './electron-mock.js';

vi.mock('electron', async () => (await import('./electron-mock.js')).electronMock);

const { registerIpcHandlers, isTrustedSender } = await import('../../../main/electron/ipc.js');

const trusted = new FakeWebContents();
const mainFrame = { url: 'app://nova/index.html#/dashboard', parent: null };
const forward = vi.fn(async (method: MethodName, input: unknown): Promise<CallResult<unknown>> => ({
  ok: true,
  value: { method, input },
}));
const local = vi.fn(async (input: unknown) => ({
  enabled: (input as { enabled: boolean }).enabled,
}));
const warnings: string[] = [];

let unregister: () => void;
beforeEach(() => {
  unregister?.();
  forward.mockClear();
  local.mockClear();
  warnings.length = 0;
  unregister = registerIpcHandlers({
    trustedContents: () => trusted as never,
    forward,
    local: { 'settings.setAutoStart': local },
    logger: { warn: (m) => warnings.push(m) },
  });
});

function call(
  method: MethodName,
  input: unknown,
  event: Record<string, unknown> = { sender: trusted, senderFrame: mainFrame },
) {
  return ipcHandlers.get(ipcChannel(method))!(event, input) as Promise<CallResult<unknown>>;
}

describe('IPC bridge in main', () => {
  it('registers one named channel per contract method, nothing generic', () => {
    expect([...ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => `nova:${m}`).sort());
  });

  it('forwards a valid call from the app window, with the parsed input', async () => {
    expect(await call('services.logs', { source: 'redis' })).toEqual({
      ok: true,
      value: { method: 'services.logs', input: { source: 'redis', lines: 200 } },
    });
  });

  it.each([
    ['another window', { sender: new FakeWebContents(), senderFrame: mainFrame }],
    [
      'an iframe of the app window',
      { sender: trusted, senderFrame: { url: 'app://nova/index.html', parent: mainFrame } },
    ],
    [
      'the app window after navigating away',
      { sender: trusted, senderFrame: { url: 'https://evil.example/', parent: null } },
    ],
    ['a frame that is gone', { sender: trusted, senderFrame: null }],
  ])('refuses a call from %s before anything runs', async (_what, event) => {
    const result = await call('services.stopAll', {}, event);
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(forward).not.toHaveBeenCalled();
    expect(warnings).toEqual(['refused an IPC call from an untrusted sender']);
  });

  it('rejects an invalid payload before any handler runs', async () => {
    for (const [method, input] of [
      ['services.stop', { service: 'all' }],
      ['migration.inspect', { file: '../../etc/passwd' }],
      ['settings.setAutoStart', { enabled: 'yes' }],
      ['app.info', { extra: 1 }],
      ['backups.restore', { id: 'b1', confirm: 'b2' }],
    ] as [MethodName, unknown][]) {
      const result = await call(method, input);
      expect(result, method).toMatchObject({
        ok: false,
        error: {
          name: 'NovaError',
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining(`Invalid input for ${method}`),
        },
      });
    }
    expect(forward).not.toHaveBeenCalled();
    expect(local).not.toHaveBeenCalled();
  });

  it('answers desktop-only methods in main, and their errors as data', async () => {
    expect(await call('settings.setAutoStart', { enabled: true })).toEqual({
      ok: true,
      value: { enabled: true },
    });
    expect(local).toHaveBeenCalledWith({ enabled: true });
    local.mockRejectedValueOnce(new Error('no autostart dir'));
    expect(await call('settings.setAutoStart', { enabled: false })).toEqual({
      ok: false,
      error: { name: 'Error', code: 'INTERNAL', message: 'no autostart dir' },
    });
    expect(forward).not.toHaveBeenCalled();
  });

  it('checks the sender against the window as it is now', () => {
    expect(isTrustedSender({ sender: trusted, senderFrame: mainFrame } as never, null)).toBe(false);
    expect(
      isTrustedSender({ sender: trusted, senderFrame: mainFrame } as never, trusted as never),
    ).toBe(true);
  });
});
