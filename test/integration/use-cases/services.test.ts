/**
 * The services use case (main/core/use-cases/services.ts) in process, with
 * a real native Redis: what `bringUp` starts outlives its ServiceManager and
 * is seen by a fresh `serviceStatus`, `shutDown` stops it and only it, an
 * external or embedded service is reported without being touched, and a
 * port someone else holds is a failure with a fix while the other services
 * still start.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../main/core/config/load-config.js';
import type { NovaConfig } from '../../../main/core/config/schema.js';
import { probeRedis } from '../../../main/core/services/handshake.js';
import { isPidRunning } from '../../../main/core/services/native/process-utils.js';
import { bringUp, serviceStatus, shutDown } from '../../../main/core/use-cases/services.js';
import { silentListener } from '../services/helpers.js';

let root: string;
const seenPids = new Set<number>();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-uc-services-'));
  await chmod(root, 0o711);
});

/** The configuration as every command loads it (which makes the data dir), from these settings only. */
async function configFor(name: string, env: Record<string, string> = {}): Promise<NovaConfig> {
  const loaded = await loadConfig({ dataDir: path.join(root, name), env, cwd: root });
  return loaded.config;
}

afterAll(async () => {
  for (const pid of seenPids) if (await isPidRunning(pid)) process.kill(pid, 'SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('services use case', () => {
  it('all embedded: status answers without creating credentials, down touches nothing', async () => {
    const config = await configFor('embedded');
    const dataDir = config.NOVA_DATA_DIR;
    const reports = await serviceStatus(config);
    expect(reports.map((r) => [r.service, r.profile])).toEqual([
      ['postgres', 'embedded'],
      ['mongo', 'embedded'],
      ['redis', 'embedded'],
    ]);
    expect(existsSync(path.join(dataDir, 'credentials.json'))).toBe(false);
    const outcomes = await shutDown(config, ['postgres', 'mongo', 'redis']);
    expect(outcomes.map((o) => o.result)).toEqual(['in-process', 'in-process', 'in-process']);
  });

  it('an external server is left running by down', async () => {
    const config = await configFor('external', {
      NOVA_REDIS_PROFILE: 'external',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    const [outcome] = await shutDown(config, ['redis']);
    expect(outcome).toMatchObject({ service: 'redis', result: 'left-running' });
    expect((await probeRedis('127.0.0.1', 6379)).confirmed).toBe(true);
  });

  it('native Redis: up leaves it running, a new status sees it, down stops it', async () => {
    const config = await configFor('native', { NOVA_REDIS_PROFILE: 'native' });
    const up = await bringUp(config, ['redis']);
    expect(up.failed).toEqual([]);
    const [report] = up.services;
    expect(report).toMatchObject({ service: 'redis', profile: 'native', state: 'healthy' });
    expect(report!.port).not.toBe(6379); // the machine's own Redis is not ours
    seenPids.add(report!.pid!);

    expect((await probeRedis('127.0.0.1', report!.port!)).confirmed).toBe(true);
    const [seen] = (await serviceStatus(config)).filter((r) => r.service === 'redis');
    expect(seen).toMatchObject({ state: 'healthy', pid: report!.pid, port: report!.port });

    const [stopped] = await shutDown(config, ['redis']);
    expect(stopped).toMatchObject({ service: 'redis', result: 'stopped', pid: report!.pid });
    expect(await isPidRunning(report!.pid!)).toBe(false);
    const [again] = await shutDown(config, ['redis']);
    expect(again!.result).toBe('already-stopped');
  }, 60_000);

  it('a taken port fails that service with a fix; the others still start', async () => {
    const taken = await silentListener();
    try {
      const config = await configFor('taken', {
        NOVA_REDIS_PROFILE: 'native',
        NOVA_NATIVE_REDIS_PORT: String(taken.port),
      });
      const up = await bringUp(config, ['postgres', 'redis']);
      expect(up.failed).toHaveLength(1);
      expect(up.failed[0]!.service).toBe('redis');
      expect(up.failed[0]!.error.code).toBe('PORT_IN_USE');
      expect(up.failed[0]!.error.message).toContain(String(taken.port));
      expect(up.failed[0]!.error.fix).toBeTruthy();
      expect(up.services.find((s) => s.service === 'postgres')?.profile).toBe('embedded');
    } finally {
      await taken.close();
    }
  }, 60_000);
});
