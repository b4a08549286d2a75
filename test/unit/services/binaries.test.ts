import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinaries, installHint, parseVersion } from '../../../main/core/services/binaries.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-bins-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A real executable that prints `output` for --version. */
async function program(dir: string, name: string, output: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\necho '${output}'\n`);
  await chmod(file, 0o755);
}

describe('parseVersion', () => {
  it.each([
    ['initdb (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)', '15.20'],
    ['pg_ctl (PostgreSQL) 16.4', '16.4'],
    [
      'Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0',
      '7.0.15',
    ],
    ['db version v7.0.14\nBuild Info: {', '7.0.14'],
    ['no version here', null],
  ])('%s → %s', (text, version) => {
    expect(parseVersion(text)).toBe(version);
  });
});

describe('findBinaries', () => {
  it('takes the three PostgreSQL programs from the first directory that has all of them', async () => {
    const partial = path.join(root, 'a', 'partial'); // client-only install: pg_ctl but no initdb
    const full = path.join(root, 'a', 'full');
    await program(partial, 'pg_ctl', 'pg_ctl (PostgreSQL) 13.1');
    for (const n of ['initdb', 'pg_ctl', 'postgres'])
      await program(full, n, `${n} (PostgreSQL) 16.2`);
    await program(partial, 'redis-server', 'Redis server v=7.2.4 sha=0');
    const report = await findBinaries({ searchDirs: [partial, full] });
    expect(report.initdb).toEqual({ path: path.join(full, 'initdb'), version: '16.2' });
    expect(report.pg_ctl).toEqual({ path: path.join(full, 'pg_ctl'), version: '16.2' });
    expect(report.postgres?.path).toBe(path.join(full, 'postgres'));
    expect(report['redis-server']).toEqual({
      path: path.join(partial, 'redis-server'),
      version: '7.2.4',
    });
    expect(report.mongod).toBeNull();
  });

  it('reports each program that is missing as null, and a non-executable file does not count', async () => {
    const dir = path.join(root, 'b');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'initdb'), 'not executable');
    const report = await findBinaries({ searchDirs: [dir, path.join(root, 'does-not-exist')] });
    expect(report).toEqual({
      initdb: null,
      pg_ctl: null,
      postgres: null,
      'redis-server': null,
      mongod: null,
    });
  });

  it('searches PATH entries first, then the usual install directories', async () => {
    const onPath = path.join(root, 'c');
    await program(onPath, 'mongod', 'db version v8.0.1');
    const report = await findBinaries({ pathEnv: onPath });
    expect(report.mongod).toEqual({ path: path.join(onPath, 'mongod'), version: '8.0.1' });
  });
});

describe('installHint', () => {
  it('names the package to install per platform', () => {
    expect(installHint('initdb', 'linux')).toBe(
      'install postgresql-15 (apt-get install postgresql-15)',
    );
    expect(installHint('redis-server', 'darwin')).toBe('brew install redis');
    expect(installHint('redis-server', 'win32')).toMatch(/docker profile/);
  });
});
