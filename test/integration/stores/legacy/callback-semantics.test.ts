/**
 * What node-sqlite3 does around the statements, checked against node-sqlite3
 * itself in child processes (an uncaught exception ends a vitest worker):
 * the application's callback is called once, and what it throws becomes an
 * uncaught exception while the next statements still run; an error with no
 * callback is an uncaught exception too. Also: calls made before the
 * database is open wait for it, and a database that cannot be opened gives
 * every call node-sqlite3's SQLITE_CANTOPEN with the product's code and fix.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLegacyDb } from '../../../../main/legacy.js';
import { repo } from '../../cli/cli-process.js';
import { makeLegacyFile } from './backends.js';

let dir: string;
let legacyFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-legacy-callbacks-'));
  legacyFile = makeLegacyFile(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same application code, given a `db`; prints what it observed as JSON lines. */
const APP = `
const seen = [];
let calls = 0;
process.on('uncaughtException', (e) => seen.push({ uncaught: e.message, calls }));
db.get('SELECT name FROM roles WHERE id = 1', function (err, row) {
  calls++;
  seen.push({ first: row, err: err && err.message });
  throw new Error('thrown by the application');
});
db.get('SELECT name FROM roles WHERE id = 2', (err, row) => seen.push({ next: row }));
db.run('INSERT INTO no_such_table VALUES (1)');
db.get('SELECT 1 AS after', (err, row) => {
  setTimeout(() => {
    seen.push({ after: row, calls });
    console.log(JSON.stringify(seen));
    process.exit(0);
  }, 200);
});
`;

function runNode(args: string[], script: string): unknown {
  const r = spawnSync(process.execPath, [...args, '-e', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('callbacks and errors, as node-sqlite3 has them', () => {
  it('a throwing callback runs once, its exception is uncaught, and later statements still run', () => {
    const oracleFile = join(dir, 'oracle.sqlite');
    const oursFile = join(dir, 'ours.sqlite');
    copyFileSync(legacyFile, oracleFile);
    copyFileSync(legacyFile, oursFile);
    const oracle = runNode(
      [],
      `const sqlite3 = require('sqlite3'); const db = new sqlite3.Database(${JSON.stringify(oracleFile)});\n${APP}`,
    );
    // The built library, as an application imports it.
    const ours = runNode(
      ['--input-type=module'],
      `const { openLegacyDb } = await import(${JSON.stringify(join(repo, 'dist/main/legacy.js'))});
       const db = openLegacyDb({ env: { NOVA_PROFILE: 'embedded', SQLITE_FILE: ${JSON.stringify(oursFile)}, NOVA_DATA_DIR: ${JSON.stringify(dir)} }, cwd: ${JSON.stringify(dir)} });\n${APP}`,
    );
    // Outside serialize() node-sqlite3 may report the compile error first: compare as sets.
    const sorted = (xs: unknown): string[] =>
      (xs as unknown[]).map((x) => JSON.stringify(x)).sort();
    expect(sorted(oracle)).toEqual(
      sorted([
        { first: { name: 'superadmin' }, err: null },
        { uncaught: 'thrown by the application', calls: 1 },
        { next: { name: 'admin' } },
        {
          uncaught: 'SQLITE_ERROR: no such table: no_such_table',
          calls: (oracle as { calls?: number }[]).find(
            (x) =>
              'uncaught' in x && String((x as { uncaught: string }).uncaught).includes('no_such'),
          )?.calls,
        },
        { after: { after: 1 }, calls: 1 },
      ]),
    );
    const withoutTiming = (xs: unknown): string[] =>
      sorted(
        (xs as Record<string, unknown>[]).map((x) =>
          'uncaught' in x ? { uncaught: x.uncaught } : x,
        ),
      );
    expect(withoutTiming(ours)).toEqual(withoutTiming(oracle));
    expect((ours as { first?: unknown }[]).filter((x) => 'first' in x)).toHaveLength(1);
  });

  it('calls made before the database is open wait for it; the default db opens on first use', async () => {
    const file = join(dir, 'queued.sqlite');
    copyFileSync(legacyFile, file);
    const env = { NOVA_PROFILE: 'embedded', SQLITE_FILE: file, NOVA_DATA_DIR: dir };
    const db = openLegacyDb({ env, cwd: dir });
    expect(db.open).toBe(false);
    const opened = new Promise<void>((resolve) => db.once('open', () => resolve()));
    const row = await new Promise((resolve, reject) =>
      db.get('SELECT COUNT(*) AS n FROM users', (e: Error | null, r: unknown) =>
        e ? reject(e) : resolve(r),
      ),
    );
    await opened;
    expect(row).toEqual({ n: 12 });
    expect(db.open).toBe(true);
    await new Promise((resolve) => db.close(resolve));
    const closed = await new Promise<Error | null>((resolve) =>
      db.get('SELECT 1', (e: Error | null) => resolve(e)),
    );
    expect(closed).toMatchObject({
      code: 'SQLITE_MISUSE',
      errno: 21,
      message: 'SQLITE_MISUSE: Database is closed',
    });
  });

  it('a database that cannot be opened gives each call SQLITE_CANTOPEN with the product’s code and fix', async () => {
    const db = openLegacyDb({
      env: {
        NOVA_POSTGRES_PROFILE: 'external',
        POSTGRES_URL: 'postgres://nova@127.0.0.1:1/nova',
        NOVA_DATA_DIR: dir,
      },
      cwd: dir,
    });
    const errors: Error[] = [];
    db.on('error', (e: Error) => errors.push(e));
    const err = await new Promise<Error | null>((resolve) =>
      db.get('SELECT 1', (e: Error | null) => resolve(e)),
    );
    expect(err).toMatchObject({ code: 'SQLITE_CANTOPEN', errno: 14, novaCode: 'CONN_REFUSED' });
    expect(err!.message).toMatch(
      /^SQLITE_CANTOPEN: unable to open database file \(.*127\.0\.0\.1:1/,
    );
    expect((err as { fix?: string }).fix).toBeTruthy();
    expect(Object.keys(err!)).toEqual(['errno', 'code']);
    const before = errors.length;
    expect(before).toBeGreaterThan(0);
    // The next call tries to open again (the server may be back by then).
    const again = await new Promise<Error | null>((resolve) =>
      db.get('SELECT 1', (e: Error | null) => resolve(e)),
    );
    expect(again).toMatchObject({ code: 'SQLITE_CANTOPEN' });
    expect(errors.length).toBe(before + 1);
    await new Promise((resolve) => db.close(resolve));
  });
});
