/**
 * The old API's callback `db` (node-sqlite3 shapes) on a given backend. Run
 * per backend like the factory contract, so `lastID`, `changes` and the
 * callback signatures hold on SQLite and PostgreSQL alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseFactory } from '../../main/core/stores/database-factory.js';
import {
  createLegacyDb,
  type LegacyDatabase,
  type RunContext,
} from '../../main/core/stores/legacy-db.js';
import type { ContractTarget } from './factory-contract.js';

type Row = Record<string, unknown>;

export function runLegacyContract(name: string, open: () => Promise<ContractTarget>): void {
  describe(`legacy db compatibility: ${name}`, () => {
    let target: ContractTarget;
    let factory: DatabaseFactory;
    let db: LegacyDatabase;

    beforeAll(async () => {
      target = await open();
      factory = target.factory;
      db = createLegacyDb(factory);
    });
    afterAll(async () => {
      await factory?.close();
      await target?.cleanup();
    });
    beforeEach(async () => {
      await factory.query('DELETE FROM user_roles');
      await factory.query('DELETE FROM users');
    });

    /** Promisifies a callback-style call, keeping the callback's `this`. */
    function runP(sql: string, params: unknown[]): Promise<RunContext> {
      return new Promise((resolve, reject) => {
        db.run(sql, params, function (this: RunContext, err: Error | null) {
          if (err) reject(err);
          else resolve({ ...this });
        });
      });
    }

    it('run() reports this.lastID and this.changes', async () => {
      const first = await runP('INSERT INTO users (name, email) VALUES (?, ?)', [
        'A',
        'a@example.com',
      ]);
      const second = await runP('INSERT INTO users (name, email) VALUES (?, ?)', [
        'B',
        'b@example.com',
      ]);
      expect(Number(second.lastID)).toBe(Number(first.lastID) + 1);
      expect(second.changes).toBe(1);
      const upd = await runP('UPDATE users SET name = ? WHERE email LIKE ?', [
        'X',
        '%@example.com',
      ]);
      expect(upd.changes).toBe(2);
    });

    it('run() accepts spread parameters and no callback, in call order', async () => {
      db.run('INSERT INTO users (name, email) VALUES (?, ?)', 'S', 's@example.com');
      const row = await new Promise<Row | undefined>((resolve, reject) =>
        db.get(
          'SELECT name FROM users WHERE email = ?',
          's@example.com',
          (err: Error | null, r?: Row) => (err ? reject(err) : resolve(r)),
        ),
      );
      expect(row).toEqual({ name: 'S' });
    });

    it('get() gives one row or undefined', async () => {
      await runP('INSERT INTO users (name, email) VALUES (?, ?)', ['G', 'g@example.com']);
      const found = await new Promise<Row | undefined>((res, rej) =>
        db.get(
          'SELECT name, email FROM users WHERE email = ?',
          ['g@example.com'],
          (e: Error | null, r?: Row) => (e ? rej(e) : res(r)),
        ),
      );
      expect(found).toEqual({ name: 'G', email: 'g@example.com' });
      const missing = await new Promise<Row | undefined>((res, rej) =>
        db.get(
          'SELECT name FROM users WHERE email = ?',
          ['none@example.com'],
          (e: Error | null, r?: Row) => (e ? rej(e) : res(r)),
        ),
      );
      expect(missing).toBeUndefined();
    });

    it('all() gives every row, each() streams rows then completes with the count', async () => {
      for (const e of ['1@x.io', '2@x.io', '3@x.io'])
        await runP('INSERT INTO users (name, email) VALUES (?, ?)', ['N', e]);
      const rows = await new Promise<Row[]>((res, rej) =>
        db.all('SELECT email FROM users ORDER BY email', [], (e: Error | null, r?: Row[]) =>
          e ? rej(e) : res(r!),
        ),
      );
      expect(rows.map((r) => r.email)).toEqual(['1@x.io', '2@x.io', '3@x.io']);
      const seen: unknown[] = [];
      const count = await new Promise<number>((res, rej) =>
        db.each(
          'SELECT email FROM users WHERE name = ? ORDER BY email',
          ['N'],
          (e: Error | null, r?: Row) => (e ? rej(e) : seen.push(r!.email)),
          (e: Error | null, n?: number) => (e ? rej(e) : res(n!)),
        ),
      );
      expect(count).toBe(3);
      expect(seen).toEqual(['1@x.io', '2@x.io', '3@x.io']);
    });

    it('prepare() binds once and runs many times, then finalizes', async () => {
      const stmt = db.prepare('INSERT INTO users (name, email) VALUES (?, ?)');
      const ids: unknown[] = [];
      for (const e of ['p1@x.io', 'p2@x.io']) {
        await new Promise<void>((res, rej) =>
          stmt.run(['P', e], function (this: RunContext, err: Error | null) {
            if (err) rej(err);
            else {
              ids.push(this.lastID);
              res();
            }
          }),
        );
      }
      await new Promise<void>((res) => stmt.finalize(() => res()));
      expect(ids).toHaveLength(2);
      const bound = db.prepare('SELECT email FROM users WHERE email = ?', 'p2@x.io');
      const row = await new Promise<Row | undefined>((res, rej) =>
        bound.get((e: Error | null, r?: Row) => (e ? rej(e) : res(r))),
      );
      expect(row).toEqual({ email: 'p2@x.io' });
    });

    it('serialize() runs its callback and keeps statements in order', async () => {
      const order: string[] = [];
      await new Promise<void>((resolve) => {
        db.serialize(() => {
          db.run('INSERT INTO users (name, email) VALUES (?, ?)', ['O', 'o@x.io'], () =>
            order.push('insert'),
          );
          db.run(
            'UPDATE users SET name = ? WHERE email = ?',
            ['O2', 'o@x.io'],
            function (this: RunContext) {
              order.push(`update:${this.changes}`);
            },
          );
          db.get(
            'SELECT name FROM users WHERE email = ?',
            ['o@x.io'],
            (_e: Error | null, r?: Row) => {
              order.push(`get:${String(r?.name)}`);
              resolve();
            },
          );
        });
      });
      expect(order).toEqual(['insert', 'update:1', 'get:O2']);
    });

    it('passes errors to the callback with the statement context', async () => {
      const err = await new Promise<Error | null>((res) =>
        db.run('INSERT INTO no_such_table VALUES (?)', [1], (e: Error | null) => res(e)),
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/no_such_table/);
      // node-sqlite3 (verified in integration/stores/legacy): missing values bind NULL,
      // extra values are SQLITE_RANGE.
      const extra = await new Promise<Error | null>((res) =>
        db.get('SELECT name FROM users WHERE email = ?', ['a', 'b'], (e: Error | null) => res(e)),
      );
      expect(extra).toMatchObject({ code: 'SQLITE_RANGE', errno: 25 });
      expect(extra!.message).toBe('SQLITE_RANGE: column index out of range');
    });

    it('emits error events when no callback is given and a listener exists', async () => {
      const errors: Error[] = [];
      db.on('error', (e: Error) => errors.push(e));
      db.run('INSERT INTO no_such_table VALUES (1)');
      await db.flush();
      db.removeAllListeners('error');
      expect(errors).toHaveLength(1);
    });

    it('exec() runs a multi-statement script', async () => {
      await new Promise<void>((res, rej) =>
        db.exec(
          "INSERT INTO users (name, email) VALUES ('E1', 'e1@x.io'); INSERT INTO users (name, email) VALUES ('E2', 'e2@x.io');",
          (e: Error | null) => (e ? rej(e) : res()),
        ),
      );
      const { rows } = await factory.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM users',
      );
      expect(Number(rows[0]!.n)).toBe(2);
    });
  });
}
