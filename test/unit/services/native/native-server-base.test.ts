/**
 * The pid file a native server writes is the proof that a recorded pid is
 * ours (adoption, status, stop): only a well-formed pid counts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile } from '../../../../main/core/services/native/native-server-base.js';

describe('readPidFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nova-pidfile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('reads a pid file (redis.pid, mongod.pid) and the first line of postmaster.pid', async () => {
    expect(await readPidFile(await write('redis.pid', '4242\n'))).toBe(4242);
    expect(
      await readPidFile(await write('postmaster.pid', '777\n/var/lib/nova/pg\n1700000000\n5433\n')),
    ).toBe(777);
  });

  it('a missing, empty, garbled or impossible pid is no pid', async () => {
    expect(await readPidFile(path.join(dir, 'absent.pid'))).toBeUndefined();
    expect(await readPidFile(await write('empty.pid', ''))).toBeUndefined();
    expect(await readPidFile(await write('text.pid', 'not a pid\n'))).toBeUndefined();
    expect(await readPidFile(await write('float.pid', '12.5\n'))).toBeUndefined();
    // 0 and 1 are never a server of ours (0: the process group, 1: init).
    expect(await readPidFile(await write('init.pid', '1\n'))).toBeUndefined();
    expect(await readPidFile(await write('zero.pid', '0\n'))).toBeUndefined();
  });
});
