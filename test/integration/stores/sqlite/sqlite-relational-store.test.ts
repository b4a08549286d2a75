// SqliteRelationalStore against real database files in a temp dir.
import {
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  closeSync,
  writeSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NovaError } from '../../../../main/core/errors.js';
import { SqliteRelationalStore } from '../../../../main/core/stores/sqlite/relational-store.js';

let dir: string;
const open: SqliteRelationalStore[] = [];
const raw: Database.Database[] = [];

function openStore(file = join(dir, 'nova.sqlite'), busyTimeoutMs = 2000): SqliteRelationalStore {
  const store = SqliteRelationalStore.open(file, { busyTimeoutMs });
  open.push(store);
  return store;
}

/** Resolves to the NovaError a promise or function rejects with. */
async function failure(work: (() => unknown) | Promise<unknown>): Promise<NovaError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    return err as NovaError;
  }
  throw new Error('expected a NovaError, but it succeeded');
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Builds a real database of several hundred KiB so there are middle pages to damage. */
function makeDatabase(file: string): number {
  const db = new Database(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(`value ${i} ${'x'.repeat(50)}`);
  })();
  db.close();
  return statSync(file).size;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-sqlite-rel-'));
});

afterEach(async () => {
  for (const db of raw.splice(0)) if (db.open) db.close();
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening', () => {
  it('creates the parent directory and sets WAL, busy_timeout, foreign_keys and synchronous', async () => {
    const store = openStore(join(dir, 'a', 'b', 'nova.sqlite'), 1234);
    expect(statSync(join(dir, 'a', 'b')).isDirectory()).toBe(true);
    const pragma = async (name: string) =>
      Object.values((await store.query(`PRAGMA ${name}`)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('busy_timeout')).toBe(1234);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('synchronous')).toBe(1); // NORMAL
    expect(store.db.open).toBe(true);
  });

  it('refuses a text file with NOT_SQLITE at open time', async () => {
    const file = join(dir, 'notes.sqlite');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const err = await failure(() => openStore(file));
    expect(err.code).toBe('NOT_SQLITE');
    expect(err.message).toContain(file);
    expect(err.fix).toMatch(/SQLITE_FILE/);
  });

  it('refuses a directory with NOT_SQLITE', async () => {
    const err = await failure(() => openStore(dir));
    expect(err.code).toBe('NOT_SQLITE');
    expect(err.message).toContain('directory');
  });

  it('reports a database with garbled middle pages as DB_CORRUPT at open time', async () => {
    const file = join(dir, 'garbled.sqlite');
    const size = makeDatabase(file);
    const fd = openSync(file, 'r+');
    const junk = Buffer.alloc(16384, 0x5a);
    writeSync(fd, junk, 0, junk.length, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const err = await failure(() => openStore(file));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.fix).toMatch(/backup/);
  });

  it('reports a truncated database as DB_CORRUPT or NOT_SQLITE', async () => {
    const file = join(dir, 'truncated.sqlite');
    const size = makeDatabase(file);
    truncateSync(file, Math.floor(size / 3));
    const err = await failure(() => openStore(file));
    expect(['DB_CORRUPT', 'NOT_SQLITE']).toContain(err.code);
  });

  it('with openCheck "schema" opens a damaged file, and health() reports the damage', async () => {
    const file = join(dir, 'garbled.sqlite');
    const size = makeDatabase(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(16384, 0x5a), 0, 16384, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const store = SqliteRelationalStore.open(file, { busyTimeoutMs: 100, openCheck: 'schema' });
    open.push(store);
    const health = await store.health();
    expect(health.status).not.toBe('ok');
    expect(health.detail).toMatch(/damaged|malformed/);
  });

  it('fails with DB_LOCKED naming the file when another connection holds an exclusive lock', async () => {
    const file = join(dir, 'locked.sqlite');
    const other = new Database(file); // rollback-journal mode: EXCLUSIVE blocks readers too
    raw.push(other);
    other.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);');
    const started = Date.now();
    const err = await failure(() => openStore(file, 100));
    expect(err.code).toBe('DB_LOCKED');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/another process/);
    expect(err.fix).toMatch(/SQLITE_BUSY_TIMEOUT_MS/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // it did wait for the busy timeout
  });

  it('maps a write blocked by another writer (WAL) to DB_LOCKED, for queries and transactions', async () => {
    const store = openStore(join(dir, 'busy.sqlite'), 50);
    await store.query('CREATE TABLE t (x)');
    const other = new Database(store.file);
    raw.push(other);
    other.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (1);');
    expect((await failure(store.query('INSERT INTO t VALUES (2)'))).code).toBe('DB_LOCKED');
    expect((await failure(store.transaction(async () => 1))).code).toBe('DB_LOCKED');
    other.exec('COMMIT');
    // Once the other writer is done the store works again (no stale transaction left behind).
    await store.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (3)');
    });
    expect((await store.query('SELECT count(*) AS n FROM t')).rows[0]).toEqual({ n: 2 });
  });

  it('reports DATA_DIR_NOT_WRITABLE naming NOVA_DATA_DIR when the data dir cannot be created', async () => {
    // Tests run as root, which ignores chmod; a regular file standing where a
    // directory must be (ENOTDIR) fails for every user.
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const err = await failure(() => openStore(join(blocker, 'data', 'nova.sqlite')));
    expect(err.code).toBe('DATA_DIR_NOT_WRITABLE');
    expect(err.message).toContain(join(blocker, 'data'));
    expect(err.fix).toMatch(/NOVA_DATA_DIR/);
  });

  it('read-only: writes fail with DB_READONLY, a missing file with DB_MISSING', async () => {
    const file = join(dir, 'ro.sqlite');
    const writer = openStore(file);
    await writer.query('CREATE TABLE t (x)');
    await writer.close();
    const reader = SqliteRelationalStore.open(file, { busyTimeoutMs: 100, readonly: true });
    open.push(reader);
    expect((await reader.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 0 }]);
    const err = await failure(reader.query('INSERT INTO t VALUES (1)'));
    expect(err.code).toBe('DB_READONLY');
    expect(err.fix).toMatch(/NOVA_DATA_DIR/);
    const missing = await failure(() =>
      SqliteRelationalStore.open(join(dir, 'nope.sqlite'), { busyTimeoutMs: 1, readonly: true }),
    );
    expect(missing.code).toBe('DB_MISSING');
  });

  it('rejects a bad busy timeout', async () => {
    expect((await failure(() => openStore(join(dir, 'x.sqlite'), -1))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('queries', () => {
  it('translates $n placeholders but leaves literals, quoted identifiers and comments alone', async () => {
    const store = openStore();
    const { rows } = await store.query(
      `SELECT $1 AS a, '$1 and it''s $2' AS lit, $2 AS b, $1 AS again, "col$1" AS q -- $3 in a comment
       /* and $4 here */ FROM (SELECT 'quoted' AS "col$1")`,
      ['first', 'second'],
    );
    expect(rows).toEqual([
      { a: 'first', lit: "$1 and it's $2", b: 'second', again: 'first', q: 'quoted' },
    ]);
  });

  it('passes legacy ? placeholders through, and refuses mixing ? with $n', async () => {
    const store = openStore();
    expect((await store.query('SELECT ? AS a, ? AS b', [1, 2])).rows).toEqual([{ a: 1, b: 2 }]);
    expect((await failure(store.query('SELECT ? AS a, $1 AS b', [1]))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('refuses a $n with no parameter for it', async () => {
    const store = openStore();
    const err = await failure(store.query('SELECT $1, $3', [1, 2]));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('$3');
  });

  it('binds booleans, Dates, objects, arrays, undefined, bigint and Buffers portably', async () => {
    const store = openStore();
    const when = new Date('2024-05-06T07:08:09.010Z');
    const { rows } = await store.query(
      'SELECT $1 AS t, $2 AS f, $3 AS d, $4 AS o, $5 AS arr, $6 AS u, $7 AS big, $8 AS buf, typeof($8) AS buftype',
      [
        true,
        false,
        when,
        { a: 1, b: [true] },
        [1, 'two'],
        undefined,
        9007199254740993n,
        Buffer.from([1, 2, 3]),
      ],
    );
    expect(rows[0]).toEqual({
      t: 1,
      f: 0,
      d: '2024-05-06T07:08:09.010Z',
      o: '{"a":1,"b":[true]}',
      arr: '[1,"two"]',
      u: null,
      big: 9007199254740992, // read back as a JS number: bigint binds, reads are numbers
      buf: Buffer.from([1, 2, 3]),
      buftype: 'blob',
    });
    expect((await failure(store.query('SELECT $1', [() => 1]))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(store.query('SELECT $1', [new Map()]))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(store.query('SELECT $1', [new Date('nope')]))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('returns lastInsertId and rowCount for writes, rows and rowCount for reads', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)');
    const first = await store.query('INSERT INTO t (v) VALUES ($1)', ['a']);
    const second = await store.query('INSERT INTO t (v) VALUES ($1), ($2)', ['b', 'c']);
    expect(first).toEqual({ rows: [], rowCount: 1, lastInsertId: 1 });
    expect(second.rowCount).toBe(2);
    expect(second.lastInsertId).toBe(3);
    const update = await store.query('UPDATE t SET v = upper(v) WHERE id >= $1', [2]);
    expect(update.rowCount).toBe(2);
    const read = await store.query<{ v: string }>('SELECT v FROM t ORDER BY id');
    expect(read.rows.map((r) => r.v)).toEqual(['a', 'B', 'C']);
    expect(read.rowCount).toBe(3);
    const returning = await store.query('INSERT INTO t (v) VALUES ($1) RETURNING id', ['d']);
    expect(returning.rows).toEqual([{ id: 4 }]);
  });

  it('maps constraint and SQL errors to CONSTRAINT_VIOLATION and QUERY_FAILED', async () => {
    const store = openStore();
    await store.exec(`
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), email TEXT UNIQUE);
      INSERT INTO parent VALUES (1);`);
    await store.query('INSERT INTO child VALUES (1, 1, $1)', ['a@x']);
    const dup = await failure(store.query('INSERT INTO child VALUES (2, 1, $1)', ['a@x']));
    expect(dup.code).toBe('CONSTRAINT_VIOLATION');
    expect(dup.message).toMatch(/UNIQUE/);
    // foreign_keys=ON is in force:
    expect((await failure(store.query('INSERT INTO child VALUES (3, 99, NULL)'))).code).toBe(
      'CONSTRAINT_VIOLATION',
    );
    const bad = await failure(store.query('SELEKT 1'));
    expect(bad.code).toBe('QUERY_FAILED');
    expect(bad.message).toMatch(/syntax error/);
    expect(bad.message).toContain('SELEKT 1');
    expect((await failure(store.query('SELECT * FROM missing_table'))).message).toMatch(
      /no such table/,
    );
  });

  it('runs multi-statement scripts with exec()', async () => {
    const store = openStore();
    await store.exec("CREATE TABLE a (x); CREATE TABLE b (y); INSERT INTO a VALUES ('$1');");
    expect((await store.query('SELECT x FROM a')).rows).toEqual([{ x: '$1' }]);
  });
});

describe('transactions', () => {
  it('commits when fn resolves and rolls back when it throws', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (v TEXT)');
    const result = await store.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', ['kept']);
      return 'done';
    });
    expect(result).toBe('done');
    const boom = new Error('boom');
    await expect(
      store.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', ['lost']);
        await tx.exec("INSERT INTO t VALUES ('lost too')");
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await store.query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
  });

  it('makes unrelated queries wait for an open transaction instead of joining it', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (v TEXT)');
    const gate = deferred();
    const order: string[] = [];
    const tx = store
      .transaction(async (t) => {
        await t.query("INSERT INTO t VALUES ('in-tx')");
        order.push('tx wrote');
        await gate.promise;
        order.push('tx finishing');
        throw new Error('roll back');
      })
      .catch(() => order.push('tx rolled back'));
    await new Promise((r) => setTimeout(r, 10)); // the transaction is now open and waiting
    const outsideWrite = store
      .query("INSERT INTO t VALUES ('outside')")
      .then(() => order.push('outside wrote'));
    const outsideRead = store
      .query<{ v: string }>('SELECT v FROM t')
      .then((r) => r.rows.map((row) => row.v));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['tx wrote']); // both outside statements are still waiting
    gate.resolve();
    await tx;
    await outsideWrite;
    // The outside write ran after the rollback, so it survived it, and the read never saw 'in-tx'.
    expect(await outsideRead).toEqual(['outside']);
    expect(order).toEqual(['tx wrote', 'tx finishing', 'tx rolled back', 'outside wrote']);
  });

  it('lets store.query() from inside the transaction run in it without deadlocking', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (v TEXT)');
    await expect(
      store.transaction(async () => {
        await store.query("INSERT INTO t VALUES ('x')");
        const seen = await store.query('SELECT count(*) AS n FROM t');
        expect(seen.rows).toEqual([{ n: 1 }]);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await store.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 0 }]);
  });

  it('uses savepoints for nested transactions', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (v TEXT)');
    await store.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES ('outer')");
      await expect(
        store.transaction(async (inner) => {
          await inner.query("INSERT INTO t VALUES ('inner, rolled back')");
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await store.transaction(async (inner) => {
        await inner.query("INSERT INTO t VALUES ('inner, kept')");
        await store.transaction(async (deeper) => deeper.query("INSERT INTO t VALUES ('deeper')"));
      });
    });
    const values = (await store.query<{ v: string }>('SELECT v FROM t ORDER BY rowid')).rows.map(
      (r) => r.v,
    );
    expect(values).toEqual(['outer', 'inner, kept', 'deeper']);

    // An inner success is still undone when the outer transaction fails.
    await expect(
      store.transaction(async () => {
        await store.transaction(async (inner) => inner.query("INSERT INTO t VALUES ('gone')"));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect((await store.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 3 }]);
  });

  it('runs sibling nested transactions one after another', async () => {
    const store = openStore();
    await store.query('CREATE TABLE t (v TEXT)');
    await store.transaction(async () => {
      await Promise.all([
        store
          .transaction(async (a) => {
            await a.query("INSERT INTO t VALUES ('a1')");
            await new Promise((r) => setTimeout(r, 5));
            await a.query("INSERT INTO t VALUES ('a2')");
            throw new Error('a fails');
          })
          .catch(() => undefined),
        store.transaction(async (b) => b.query("INSERT INTO t VALUES ('b')")),
      ]);
    });
    expect((await store.query('SELECT v FROM t')).rows).toEqual([{ v: 'b' }]);
  });

  it('refuses to use a transaction executor after the transaction finished', async () => {
    const store = openStore();
    let leaked: { query: (sql: string) => Promise<unknown> } | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    const err = await failure(leaked!.query('SELECT 1'));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/already finished/);
  });
});

describe('health and close', () => {
  it('reports ok with latency, and down after close; close is idempotent and waits for a transaction', async () => {
    const store = openStore();
    const health = await store.health();
    expect(health).toMatchObject({ service: 'relational', backend: 'sqlite', status: 'ok' });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.detail).toContain(store.file);

    await store.query('CREATE TABLE t (v TEXT)');
    const gate = deferred();
    const tx = store.transaction(async (t) => {
      await gate.promise;
      await t.query("INSERT INTO t VALUES ('committed before close')");
    });
    await new Promise((r) => setTimeout(r, 5));
    const closing = Promise.all([store.close(), store.close()]);
    gate.resolve();
    await tx;
    await closing;
    await store.close();
    expect((await store.health()).status).toBe('down');
    expect((await failure(store.query('SELECT 1'))).code).toBe('NOT_INITIALIZED');

    const reopened = openStore(store.file);
    expect((await reopened.query('SELECT v FROM t')).rows).toEqual([
      { v: 'committed before close' },
    ]);
  });
});
