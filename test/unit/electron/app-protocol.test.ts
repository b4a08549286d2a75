import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { privilegedSchemes, protocolHandlers } from './electron-mock.js';

vi.mock('electron', async () => (await import('./electron-mock.js')).electronMock);

const { registerAppScheme, resolveRendererFile, serveRenderer } =
  await import('../../../main/electron/app-protocol.js');
const { DESKTOP_CSP } = await import('../../../main/electron/security.js');

describe('app:// renderer protocol', () => {
  it('registers app:// as a standard, secure scheme without CORS or fetch', () => {
    registerAppScheme();
    expect(privilegedSchemes).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false },
      },
    ]);
  });

  it('serves renderer files with the CSP header, and nothing outside the renderer', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'nova-protocol-'));
    const dir = path.join(root, 'renderer');
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
    await writeFile(path.join(dir, 'assets', 'app.js'), 'export {}');
    await writeFile(path.join(root, 'secret.txt'), 'credentials');
    serveRenderer(dir);
    const handler = protocolHandlers.get('app')!;

    const page = await handler(new Request('app://nova/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(
      (await handler(new Request('app://nova/assets/app.js'))).headers.get('content-type'),
    ).toBe('text/javascript; charset=utf-8');

    for (const url of [
      'app://nova/../secret.txt',
      'app://nova/%2e%2e/secret.txt',
      'app://nova/assets/%2e%2e%2f..%2fsecret.txt',
      'app://other/index.html',
      'app://nova/missing.js',
      'app://nova/secret.txt',
    ]) {
      expect((await handler(new Request(url))).status, url).toBe(404);
    }
    expect(resolveRendererFile(dir, 'app://nova/')).toBe(path.join(dir, 'index.html'));
    expect(resolveRendererFile(dir, 'app://nova/%E0%A4%A')).toBeNull();
    expect(resolveRendererFile(dir, 'https://nova/index.html')).toBeNull();
  });
});
