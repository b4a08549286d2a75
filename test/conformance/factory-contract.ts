/**
 * The DatabaseFactory contract (main/core/stores/README.md): one suite, run unchanged against
 * every backend combination. A backend passes only if it behaves exactly as
 * the others do here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseFactory } from '../../main/core/stores/database-factory.js';
import { isNovaError } from '../../main/core/errors.js';

export interface ContractTarget {
  factory: DatabaseFactory;
  /** Expected backend names in healthCheck(), e.g. ['sqlite', 'sqlite-json', 'memory']. */
  backends: string[];
  cleanup(): Promise<void>;
}

export function runFactoryContract(name: string, open: () => Promise<ContractTarget>): void {
  describe(`DatabaseFactory contract: ${name}`, () => {
    let target: ContractTarget;
    let db: DatabaseFactory;

    beforeAll(async () => {
      target = await open();
      db = target.factory;
    });
    afterAll(async () => {
      await target?.factory.close();
      await target?.cleanup();
    });
    beforeEach(async () => {
      await db.query('DELETE FROM user_roles');
      await db.query('DELETE FROM users');
      for (const c of [
        'audit_logs',
        'analytics',
        'sessions',
        'user_preferences',
        'contract_docs',
      ]) {
        await db.deleteDocuments(c, {});
      }
      await db.cache.clear();
    });

    describe('relational', () => {
      it('applies the Nova schema on initialize (seeded roles and permissions)', async () => {
        const roles = await db.query<{ name: string }>('SELECT name FROM roles ORDER BY id');
        expect(roles.rows.map((r) => r.name)).toEqual(['superadmin', 'admin', 'user']);
        const perms = await db.query<{ n: number | string }>(
          'SELECT COUNT(*) AS n FROM permissions',
        );
        expect(Number(perms.rows[0]!.n)).toBe(6);
      });

      it('binds $n parameters of every common type and returns ids', async () => {
        const inserted = await db.query<{ id: number }>(
          'INSERT INTO users (name, email, password_hash, disabled, last_login) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          ['Ada', 'ada@example.com', 'h', true, new Date('2024-01-02T03:04:05.000Z')],
        );
        expect(inserted.rows).toHaveLength(1);
        const id = Number(inserted.rows[0]!.id);
        expect(id).toBeGreaterThan(0);
        const got = await db.query<{ name: string; disabled: unknown; last_login: unknown }>(
          'SELECT name, disabled, last_login FROM users WHERE id = $1',
          [id],
        );
        expect(got.rows[0]!.name).toBe('Ada');
        expect(truthy(got.rows[0]!.disabled)).toBe(true);
        expect(new Date(got.rows[0]!.last_login as string).toISOString()).toBe(
          '2024-01-02T03:04:05.000Z',
        );
      });

      it('reports affected rows for writes', async () => {
        await insertUser('a@example.com');
        await insertUser('b@example.com');
        const res = await db.query('UPDATE users SET name = $1', ['renamed']);
        expect(res.rowCount).toBe(2);
      });

      it('keeps a literal "$1" inside a string as data', async () => {
        await db.query("INSERT INTO users (name, email) VALUES ('costs $1 or ?', $1)", [
          'lit@example.com',
        ]);
        const { rows } = await db.query<{ name: string }>(
          'SELECT name FROM users WHERE email = $1',
          ['lit@example.com'],
        );
        expect(rows[0]!.name).toBe('costs $1 or ?');
      });

      it('commits a transaction that resolves', async () => {
        const value = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO users (name, email) VALUES ($1, $2)', ['T', 't@example.com']);
          return 42;
        });
        expect(value).toBe(42);
        expect(await userCount()).toBe(1);
      });

      it('rolls back a transaction that throws, including factory.query calls made inside it', async () => {
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO users (name, email) VALUES ($1, $2)', [
              'T',
              't1@example.com',
            ]);
            await db.query('INSERT INTO users (name, email) VALUES ($1, $2)', [
              'T',
              't2@example.com',
            ]);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await userCount()).toBe(0);
      });

      it('isolates a concurrent query from an open transaction', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const tx = db.transaction(async (t) => {
          await t.query('INSERT INTO users (name, email) VALUES ($1, $2)', [
            'T',
            'iso@example.com',
          ]);
          await gate;
          throw new Error('rollback');
        });
        // Give the transaction time to insert before the outside read.
        await new Promise((r) => setTimeout(r, 50));
        const outside = db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
        release();
        await expect(tx).rejects.toThrow('rollback');
        expect(Number((await outside).rows[0]!.n)).toBe(0);
      });

      it('maps a unique violation to CONSTRAINT_VIOLATION', async () => {
        await insertUser('dup@example.com');
        const err = await insertUser('dup@example.com').catch((e: unknown) => e);
        expect(isNovaError(err, 'CONSTRAINT_VIOLATION')).toBe(true);
      });

      it('reports SQL errors as QUERY_FAILED with the server message', async () => {
        const err = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
        expect(isNovaError(err, 'QUERY_FAILED')).toBe(true);
        expect((err as Error).message).toMatch(/no_such_table/);
      });
    });

    describe('documents', () => {
      it('stores and finds documents with string ids and Dates intact', async () => {
        const when = new Date('2025-05-05T05:05:05.123Z');
        const { insertedId } = await db.storeDocument('contract_docs', {
          kind: 'a',
          n: 1,
          when,
          nested: { x: 'y' },
        });
        expect(typeof insertedId).toBe('string');
        const [doc] = await db.findDocuments('contract_docs', { _id: insertedId });
        expect(doc).toMatchObject({ _id: insertedId, kind: 'a', n: 1, nested: { x: 'y' } });
        expect(doc!.when).toBeInstanceOf(Date);
        expect((doc!.when as Date).toISOString()).toBe(when.toISOString());
      });

      it('supports the filter subset and sort/skip/limit', async () => {
        for (let n = 1; n <= 5; n++) {
          await db.storeDocument('contract_docs', {
            n,
            tag: n % 2 ? 'odd' : 'even',
            meta: { level: n * 10 },
            ...(n === 3 ? { flag: true } : {}),
          });
        }
        const ns = async (filter: Record<string, unknown>) =>
          (await db.findDocuments('contract_docs', filter, { sort: { n: 1 } })).map((d) => d.n);
        expect(await ns({ tag: 'odd' })).toEqual([1, 3, 5]);
        expect(await ns({ n: { $gt: 2, $lte: 4 } })).toEqual([3, 4]);
        expect(await ns({ n: { $in: [1, 5] } })).toEqual([1, 5]);
        expect(await ns({ n: { $nin: [1, 5] } })).toEqual([2, 3, 4]);
        expect(await ns({ n: { $ne: 2 } })).toEqual([1, 3, 4, 5]);
        expect(await ns({ 'meta.level': { $gte: 40 } })).toEqual([4, 5]);
        expect(await ns({ flag: { $exists: true } })).toEqual([3]);
        expect(await ns({ $or: [{ n: 1 }, { n: 2 }] })).toEqual([1, 2]);
        expect(await ns({ $and: [{ tag: 'odd' }, { n: { $lt: 5 } }] })).toEqual([1, 3]);
        const page = await db.findDocuments(
          'contract_docs',
          {},
          { sort: { n: -1 }, skip: 1, limit: 2 },
        );
        expect(page.map((d) => d.n)).toEqual([4, 3]);
      });

      it('refuses unsupported filter operators with UNSUPPORTED_FILTER', async () => {
        const err = await db
          .findDocuments('contract_docs', { n: { $where: 'sleep(1000)' } })
          .catch((e: unknown) => e);
        expect(isNovaError(err, 'UNSUPPORTED_FILTER')).toBe(true);
      });

      it('updates with $set/$unset/$inc and deletes by filter', async () => {
        await db.storeDocument('contract_docs', { k: 'u', count: 1, drop: 'me' });
        await db.storeDocument('contract_docs', { k: 'u', count: 5, drop: 'me' });
        const res = await db.updateDocuments(
          'contract_docs',
          { k: 'u' },
          { $inc: { count: 2 }, $set: { 'meta.seen': true }, $unset: { drop: '' } },
        );
        expect(res).toEqual({ matched: 2, modified: 2 });
        const docs = await db.findDocuments('contract_docs', { k: 'u' }, { sort: { count: 1 } });
        expect(docs.map((d) => d.count)).toEqual([3, 7]);
        expect(docs[0]).not.toHaveProperty('drop');
        expect(docs[0]!.meta).toEqual({ seen: true });
        expect(await db.deleteDocuments('contract_docs', { count: { $gt: 5 } })).toEqual({
          deleted: 1,
        });
        expect(await db.findDocuments('contract_docs', { k: 'u' })).toHaveLength(1);
      });

      it('enforces unique indexes of the Nova collections', async () => {
        await db.storeDocument('user_preferences', { user_id: 7, theme: 'dark' });
        const err = await db
          .storeDocument('user_preferences', { user_id: 7, theme: 'light' })
          .catch((e: unknown) => e);
        expect(isNovaError(err, 'CONSTRAINT_VIOLATION')).toBe(true);
      });

      it('expires documents by their TTL rule', async () => {
        const past = new Date(Date.now() - 60_000);
        const future = new Date(Date.now() + 3_600_000);
        await db.storeDocument('sessions', { sid: 'old', data: {}, expires_at: past });
        await db.storeDocument('sessions', { sid: 'new', data: {}, expires_at: future });
        expect((await db.findDocuments('sessions', {})).map((d) => d.sid)).toEqual(['new']);
        await db.runMaintenance();
        await db.deleteDocuments('sessions', { sid: 'new' });
        expect(await db.findDocuments('sessions', {})).toEqual([]);
      });
    });

    describe('audit log', () => {
      it('records an audit entry with a Date created_at', async () => {
        const { id } = await db.createAuditLog('USER_LOGIN', 12, { ip: '127.0.0.1' });
        const [doc] = await db.findDocuments('audit_logs', { _id: id });
        expect(doc).toMatchObject({
          action: 'USER_LOGIN',
          user_id: 12,
          details: { ip: '127.0.0.1' },
        });
        expect(doc!.created_at).toBeInstanceOf(Date);
      });

      it('delivers audit entries of a committed transaction, and none of a rolled-back one', async () => {
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO users (name, email) VALUES ($1, $2)', [
            'A',
            'audit@example.com',
          ]);
          await db.createAuditLog('COMMITTED', 1, {});
        });
        await expect(
          db.transaction(async () => {
            await db.createAuditLog('ROLLED_BACK', 1, {});
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect((await db.findDocuments('audit_logs', { action: 'COMMITTED' })).length).toBe(1);
        expect(await db.findDocuments('audit_logs', { action: 'ROLLED_BACK' })).toEqual([]);
        expect((await db.healthCheck()).auditOutboxPending).toBe(0);
      });

      it('rejects an empty action', async () => {
        const err = await db.createAuditLog('', 1).catch((e: unknown) => e);
        expect(isNovaError(err, 'INVALID_ARGUMENT')).toBe(true);
      });
    });

    describe('cache', () => {
      it('gets, sets and counts hits and misses', async () => {
        const before = await db.cache.stats();
        expect(await db.cache.get('k1')).toBeUndefined();
        await db.cache.set('k1', { v: 1, at: new Date('2020-01-01T00:00:00.000Z') }, 60);
        const got = await db.cache.get<{ v: number; at: Date }>('k1');
        expect(got!.v).toBe(1);
        expect(got!.at).toBeInstanceOf(Date);
        const after = await db.cache.stats();
        expect(after.hits - before.hits).toBe(1);
        expect(after.misses - before.misses).toBe(1);
      });

      it('wrap() reads through once and expires after its TTL', async () => {
        let calls = 0;
        const load = async () => ++calls;
        expect(await db.cache.wrap('w', 1, load)).toBe(1);
        expect(await db.cache.wrap('w', 1, load)).toBe(1);
        await new Promise((r) => setTimeout(r, 1_100));
        expect(await db.cache.wrap('w', 1, load)).toBe(2);
      });
    });

    it('reports health of every service', async () => {
      const health = await db.healthCheck();
      expect(health.status).toBe('ok');
      expect(health.services.map((s) => s.backend)).toEqual(target.backends);
      for (const s of health.services) expect(s.latencyMs).not.toBeNull();
    });

    async function insertUser(email: string) {
      return db.query('INSERT INTO users (name, email) VALUES ($1, $2)', ['U', email]);
    }
    async function userCount(): Promise<number> {
      const { rows } = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
      return Number(rows[0]!.n);
    }
  });
}

/** SQLite returns 0/1 for booleans, PostgreSQL true/false. */
function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1';
}
