/**
 * CopySink against a real PostgreSQL: lines of any size (one far larger than
 * a chunk, multi-byte text) arrive intact and in order, and the bytes the
 * loader hashes in place (lineStart/lineEnd) are exactly each line's UTF-8.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopySink } from '../../../main/core/migrate/run/pg-copy.js';
import { RowHasher } from '../../../main/core/migrate/run/row-hash.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let db: ScratchDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createScratchDatabase('nova_mig_sink');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('CREATE TABLE t (n integer PRIMARY KEY, v text)');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('CopySink', () => {
  it('streams small, multi-byte and oversized lines intact, hashing each line in place', async () => {
    const values = Array.from({ length: 3000 }, (_, i) =>
      i === 1500
        ? '\u4e2d\ud83d\ude00'.repeat(60_000) // ~420 KB of UTF-8: larger than any chunk
        : i % 7 === 0
          ? `caf\u00e9 ${i}`
          : `row ${i} ${'x'.repeat(i % 90)}`,
    );
    const sink = new CopySink(client, 'COPY t (n, v) FROM STDIN');
    const inPlace = new RowHasher('lookup3');
    const direct = new RowHasher('lookup3');
    for (const [i, v] of values.entries()) {
      const line = `${i}\t${v}`;
      const ready = sink.push(line);
      expect(sink.bytes.toString('utf8', sink.lineStart, sink.lineEnd)).toBe(line);
      inPlace.addUtf8(sink.bytes, sink.lineStart, sink.lineEnd);
      direct.add(line);
      if (ready) await sink.flush();
    }
    await sink.end();
    expect(inPlace.take()).toBe(direct.take());
    const { rows } = await client.query<{ n: number; v: string }>('SELECT n, v FROM t ORDER BY n');
    expect(rows.length).toBe(values.length);
    expect(rows.every((r, i) => r.n === i && r.v === values[i])).toBe(true);
  });

  it('rejects end() with the server error and stays usable after a refused line', async () => {
    await client.query('BEGIN');
    const sink = new CopySink(client, 'COPY t (n, v) FROM STDIN');
    for (let i = 0; i < 5000; i++) if (sink.push(`${i}\tdup`)) await sink.flush();
    await expect(sink.end()).rejects.toMatchObject({ code: '23505' });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
