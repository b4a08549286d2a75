import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isNovaError } from '../../../main/core/errors.js';
import { choosePort, isPortFree, osFreePort } from '../../../main/core/services/ports.js';
import { ServiceStateFile, stateFilePath } from '../../../main/core/services/service-state-file.js';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function occupy(port = 0): Promise<number> {
  const s = createServer();
  held.push(s);
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

describe('choosePort', () => {
  it('reuses the remembered port while it is free', async () => {
    const port = await osFreePort();
    expect(await choosePort({ service: 'redis', remembered: port })).toBe(port);
  });

  it('picks another port when the remembered one is taken', async () => {
    const taken = await occupy();
    const chosen = await choosePort({ service: 'redis', remembered: taken });
    expect(chosen).not.toBe(taken);
    expect(await isPortFree(chosen)).toBe(true);
  });

  it('a fixed port that is taken is PORT_IN_USE, naming the port and how to find its owner', async () => {
    const taken = await occupy();
    await expect(choosePort({ service: 'postgres', fixed: taken })).rejects.toSatisfy(
      (e: unknown) =>
        isNovaError(e, 'PORT_IN_USE') &&
        (e as Error).message.includes(String(taken)) &&
        /ss -ltnp|lsof/.test((e as { fix: string }).fix),
    );
  });

  it('never reuses a service default port even when remembered (the machine may run its own server there)', async () => {
    const chosen = await choosePort({ service: 'postgres', remembered: 5432 });
    expect(chosen).not.toBe(5432);
    expect([5432, 6379, 27017]).not.toContain(await osFreePort());
  });

  it('isPortFree sees the machine PostgreSQL on 5432', async () => {
    expect(await isPortFree(5432)).toBe(false);
  });
});

describe('ServiceStateFile', () => {
  it('serialises concurrent updates so none is lost, and writes atomically', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nova-state-'));
    try {
      const file = new ServiceStateFile(dir);
      await Promise.all([
        file.update('postgres', () => ({ port: 41001, pid: 100 })),
        file.update('redis', () => ({ port: 41002, pid: 200 })),
        file.update('mongo', () => ({ port: 41003 })),
      ]);
      expect(await file.read()).toEqual({
        postgres: { port: 41001, pid: 100 },
        redis: { port: 41002, pid: 200 },
        mongo: { port: 41003 },
      });
      await file.update('redis', (r) => (r ? { port: r.port } : undefined));
      await file.update('mongo', () => undefined);
      expect(await file.read()).toEqual({
        postgres: { port: 41001, pid: 100 },
        redis: { port: 41002 },
      });
      expect(await readdir(path.join(dir, 'services'))).toEqual(['state.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('treats a damaged file as empty and drops records with bogus pids or ports', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nova-state-'));
    try {
      await mkdir(path.join(dir, 'services'));
      await writeFile(stateFilePath(dir), '{ not json');
      const file = new ServiceStateFile(dir);
      expect(await file.read()).toEqual({});
      await writeFile(
        stateFilePath(dir),
        JSON.stringify({
          services: {
            postgres: { port: 70000, pid: 5 },
            redis: { port: 41000, pid: 1 },
            mongo: { port: '1', pid: 9 },
          },
        }),
      );
      // pid 1 (init) must never be adopted or signalled.
      expect(await file.read()).toEqual({ redis: { port: 41000 } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
