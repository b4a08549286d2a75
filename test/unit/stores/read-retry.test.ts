/**
 * Which statements the data layer may run a second time after a failover
 * cut them off (idempotent reads only), and that it does so exactly once.
 */
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { isIdempotentRead, retryReadOnce } from '../../../main/core/stores/read-retry.js';

describe('isIdempotentRead', () => {
  it.each([
    'SELECT 1',
    'select count(*) from logs where ticket_id = $1;',
    "SELECT * FROM users WHERE name = 'insert into x'",
    'SELECT "update" FROM t',
    'WITH recent AS (SELECT * FROM logs) SELECT count(*) FROM recent',
    'VALUES (1), (2)',
    'TABLE kiosks',
    'SHOW server_version',
    '  /* report */ SELECT now()',
    'SELECT $$delete$$ AS word',
  ])('reads: %s', (sql) => {
    expect(isIdempotentRead(sql)).toBe(true);
  });

  it.each([
    'INSERT INTO t VALUES (1)',
    'UPDATE t SET x = 1',
    'DELETE FROM t',
    'WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone',
    'SELECT * INTO copy_of_t FROM t',
    'SELECT * FROM t FOR UPDATE',
    'SELECT * FROM t FOR NO KEY UPDATE',
    "SELECT nextval('t_id_seq')",
    'SELECT pg_advisory_lock(1)',
    "SELECT set_config('x.y', '1', false)",
    'SELECT 1; DELETE FROM t',
    'BEGIN',
    'CREATE TABLE x (a int)',
    '',
  ])('does not read only: %s', (sql) => {
    expect(isIdempotentRead(sql)).toBe(false);
  });
});

describe('retryReadOnce', () => {
  const failover = () => new NovaError('FAILOVER', 'cut off');

  it('runs a read cut off by a failover or a lost connection once more', async () => {
    for (const code of ['FAILOVER', 'SERVICE_UNAVAILABLE'] as const) {
      let calls = 0;
      const result = await retryReadOnce('SELECT 1', async () => {
        calls += 1;
        if (calls === 1) throw new NovaError(code, 'x');
        return 'second';
      });
      expect({ code, result, calls }).toEqual({ code, result: 'second', calls: 2 });
    }
  });

  it('gives up after the second failure, and never retries writes or other errors', async () => {
    let calls = 0;
    const always = async () => {
      calls += 1;
      throw failover();
    };
    await expect(retryReadOnce('SELECT 1', always)).rejects.toMatchObject({ code: 'FAILOVER' });
    expect(calls).toBe(2);
    calls = 0;
    await expect(retryReadOnce('INSERT INTO t VALUES (1)', always)).rejects.toMatchObject({
      code: 'FAILOVER',
    });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryReadOnce('SELECT 1', async () => {
        calls += 1;
        throw new NovaError('QUERY_FAILED', 'syntax');
      }),
    ).rejects.toMatchObject({ code: 'QUERY_FAILED' });
    expect(calls).toBe(1);
  });
});
