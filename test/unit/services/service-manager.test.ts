import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type NovaConfigInput } from '../../../main/core/config/schema.js';
import { isNovaError } from '../../../main/core/errors.js';
import { ServiceManager } from '../../../main/core/services/service-manager.js';
import type { StateChange } from '../../../main/core/services/service-state-machine.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nova-mgr-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function create(settings: Partial<NovaConfigInput> = {}): Promise<ServiceManager> {
  return ServiceManager.create({
    config: configSchema.parse({ NOVA_DATA_DIR: dir, ...settings }),
    supervisor: false,
  });
}

describe('ServiceManager', () => {
  it('embedded (the default): nothing to run, every service goes starting → healthy → stopping → stopped', async () => {
    const m = await create();
    const changes: StateChange[] = [];
    m.on('state-changed', (c) => changes.push(c));
    const { endpoints, failed } = await m.startAll();
    expect(endpoints).toEqual({});
    expect(failed).toEqual([]);
    expect((await m.statusAll()).map((s) => [s.service, s.provider, s.state])).toEqual([
      ['postgres', 'embedded', 'healthy'],
      ['mongo', 'embedded', 'healthy'],
      ['redis', 'embedded', 'healthy'],
    ]);
    await m.stopAll();
    expect(changes.filter((c) => c.service === 'redis').map((c) => c.to)).toEqual([
      'starting',
      'healthy',
      'stopping',
      'stopped',
    ]);
  });

  it('creates the credentials file on first use (never a default password)', async () => {
    await create();
    const { loadCredentials } = await import('../../../main/core/config/credentials.js');
    expect((await loadCredentials(dir)).postgresPassword).toMatch(/^[0-9a-f]{48}$/);
  });

  it('start is idempotent while a service is up, and concurrent starts share one run', async () => {
    const m = await create();
    const changes: StateChange[] = [];
    m.on('state-changed', (c) => changes.push(c));
    await Promise.all([m.start('postgres'), m.start('postgres'), m.start('postgres')]);
    await m.start('postgres');
    expect(changes.map((c) => c.to)).toEqual(['starting', 'healthy']);
  });

  it('docker profile on a machine without a running engine: the service fails with a reason and a fix, others are unaffected', async () => {
    const m = await create({ NOVA_PROFILE: 'embedded', NOVA_REDIS_PROFILE: 'docker' });
    const { failed } = await m.startAll();
    expect(failed.map((f) => f.service)).toEqual(['redis']);
    const status = await m.status('redis');
    expect(status).toMatchObject({ provider: 'docker', state: 'failed' });
    expect(status.reason).toBeTruthy();
    expect(status.fix).toBeTruthy();
    expect((await m.status('postgres')).state).toBe('healthy');
    await m.stopAll(); // failed → stopping → stopped
    expect(m.machine('redis').state).toBe('stopped');
  });

  it('shutdown runs teardown steps in reverse order before stopping services, once, even when a step fails', async () => {
    const m = await create();
    await m.startAll();
    const order: string[] = [];
    m.registerTeardown('close pools', () => {
      order.push(`pools (postgres ${m.machine('postgres').state})`);
    });
    m.registerTeardown('finish backup', async () => {
      order.push('backup');
      throw new Error('disk full');
    });
    const unregister = m.registerTeardown('never', () => {
      order.push('never');
    });
    unregister();
    m.on('state-changed', (c) => c.to === 'stopped' && order.push(`stopped ${c.service}`));
    const first = m.shutdown();
    const second = m.shutdown();
    expect(second).toBe(first);
    const err = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isNovaError(err, 'SERVICE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('finish backup: disk full');
    expect(order).toEqual([
      'backup',
      'pools (postgres healthy)',
      'stopped redis',
      'stopped mongo',
      'stopped postgres',
    ]);
    await expect(m.start('postgres')).rejects.toSatisfy(
      (e: unknown) =>
        isNovaError(e, 'SERVICE_UNAVAILABLE') && /shutting down/.test((e as Error).message),
    );
  });

  it('a teardown step that hangs is abandoned after the timeout so quitting cannot hang forever', async () => {
    const m = await create();
    await m.startAll();
    m.registerTeardown('stuck', () => new Promise<void>(() => undefined));
    const started = Date.now();
    await expect(m.shutdown({ teardownTimeoutMs: 100 })).rejects.toThrow(
      /stuck: did not finish within 100 ms/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(m.machine('postgres').state).toBe('stopped');
  });
});
