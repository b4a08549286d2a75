import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteRelationalStore } from '../../../../main/core/stores/sqlite/relational-store.js';

describe('SQLite file permissions', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('creates a new database readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-mode-'));
    dirs.push(dir);
    const store = SqliteRelationalStore.open(join(dir, 'nova.sqlite'), { busyTimeoutMs: 100 });
    await store.close();
    expect(statSync(join(dir, 'nova.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('leaves the mode of an existing database alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-mode-'));
    dirs.push(dir);
    const file = join(dir, 'shared.sqlite');
    new Database(file).close();
    chmodSync(file, 0o640);
    const store = SqliteRelationalStore.open(file, { busyTimeoutMs: 100 });
    await store.close();
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });
});
