/**
 * The runtime process protocol (what the Electron main process talks to
 * over a utility-process port), run in-process on a message channel with a
 * real AppRuntime: ready, calls answered as CallResults with validation,
 * pushed events, and a shutdown that completes the shutdown phase.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runRuntimeHost,
  type HostMessage,
  type HostRequest,
} from '../../../main/core/app/runtime-host.js';
import { createLogger } from '../../../main/core/logger.js';

describe('runtime host', () => {
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves calls and events until shut down, then reports stopped', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'nova-host-'));
    // A real structured-clone message channel, as between Electron main and a utility process.
    const { port1: parent, port2: child } = new MessageChannel();
    const received: HostMessage[] = [];
    const waiters: ((m: HostMessage) => void)[] = [];
    parent.on('message', (m: HostMessage) => {
      received.push(m);
      for (const w of waiters.splice(0)) w(m);
    });
    const next = (predicate: (m: HostMessage) => boolean) =>
      new Promise<HostMessage>((resolve) => {
        const found = received.find(predicate);
        if (found) return resolve(found);
        const wait = (m: HostMessage) => (predicate(m) ? resolve(m) : waiters.push(wait));
        waiters.push(wait);
      });
    const send = (r: HostRequest) => parent.postMessage(r);
    const logger = createLogger({ level: 'error', write: () => undefined });

    const hosting = runRuntimeHost(
      { postMessage: (m) => child.postMessage(m), onMessage: (l) => child.on('message', l) },
      {
        logger,
        configOptions: {
          dataDir: path.join(root, 'data'),
          env: { NOVA_BACKUP_INTERVAL_HOURS: '0' },
          cwd: root,
        },
      },
      logger,
    );
    await next((m) => m.type === 'ready');

    send({ type: 'call', id: 1, method: 'app.info', input: {} });
    send({ type: 'call', id: 2, method: 'services.stop', input: { service: 'sqlserver' } });
    send({ type: 'call', id: 3, method: 'shell.exec', input: { cmd: 'rm -rf /' } });
    send({ type: 'call', id: 4, method: 'health.refresh', input: {} });
    const r1 = await next((m) => m.type === 'result' && m.id === 1);
    expect(r1).toMatchObject({
      result: { ok: true, value: { mode: 'desktop', relational: 'sqlite' } },
    });
    expect(await next((m) => m.type === 'result' && m.id === 2)).toMatchObject({
      result: { ok: false, error: { code: 'INVALID_ARGUMENT' } },
    });
    expect(await next((m) => m.type === 'result' && m.id === 3)).toMatchObject({
      result: {
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: 'Unknown method "shell.exec".' },
      },
    });
    await next((m) => m.type === 'result' && m.id === 4);
    expect(await next((m) => m.type === 'event' && m.event.type === 'health')).toBeTruthy();

    send({ type: 'shutdown' });
    expect(await next((m) => m.type === 'stopped')).toEqual({ type: 'stopped' });
    await hosting;
    expect(
      received.some(
        (m) => m.type === 'event' && m.event.type === 'runtime' && m.event.state === 'stopping',
      ),
    ).toBe(true);
    parent.close();
  });
});
