/** Choosing pg_dump for a server, and where passphrases come from. */
import { describe, expect, it } from 'vitest';
import {
  choosePgTools,
  findPgTools,
  parseToolMajor,
  requireRestoreTools,
} from '../../../main/core/backup/postgres-tools.js';
import { obtainPassphrase } from '../../../main/core/backup/passphrase.js';

describe('pg_dump selection', () => {
  it('reads the major version from --version output', () => {
    expect(parseToolMajor('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toBe(15);
    expect(parseToolMajor('pg_dump (PostgreSQL) 9.6.24')).toBe(9);
    expect(parseToolMajor('pg_dump (PostgreSQL) 17beta1')).toBeNull();
    expect(parseToolMajor('something else 1.2.3')).toBeNull();
  });

  it('takes the closest version not older than the server, preferring complete installations', () => {
    const c = (dir: string, major: number, complete = true) => ({
      dir,
      major,
      versionText: `${major}`,
      complete,
    });
    const candidates = [c('/a', 17), c('/b', 15, false), c('/c', 15), c('/d', 14)];
    expect(choosePgTools(candidates, 15)?.dir).toBe('/c');
    expect(choosePgTools(candidates, 16)?.dir).toBe('/a');
    expect(choosePgTools(candidates, 18)).toBeNull();
  });

  it('finds the installed PostgreSQL 15 tools and refuses when none is new enough', async () => {
    const dirs = ['/usr/lib/postgresql/15/bin'];
    const tools = await findPgTools(15, dirs);
    expect(tools).toMatchObject({
      major: 15,
      pgDump: '/usr/lib/postgresql/15/bin/pg_dump',
      psql: '/usr/lib/postgresql/15/bin/psql',
    });
    expect(await findPgTools(99, dirs)).toBeNull();
    expect(await findPgTools(15, ['/nonexistent'])).toBeNull();
    await expect(requireRestoreTools(99, dirs)).rejects.toMatchObject({
      code: 'BINARY_MISSING',
      fix: expect.stringMatching(/postgresql-client-99/),
    });
  });
});

describe('passphrase sources', () => {
  it('prefers the environment, never asking then', async () => {
    const asked: string[] = [];
    const prompt = async (q: string) => (asked.push(q), 'typed');
    expect(
      await obtainPassphrase({ env: { NOVA_BACKUP_PASSPHRASE: 'from env' }, prompt }, true),
    ).toBe('from env');
    expect(asked).toEqual([]);
  });

  it('asks on a terminal, twice for a new backup, and refuses two different answers', async () => {
    const answers = ['first', 'first'];
    expect(await obtainPassphrase({ env: {}, prompt: async () => answers.shift()! }, true)).toBe(
      'first',
    );
    const differ = ['one', 'two'];
    await expect(
      obtainPassphrase({ env: {}, prompt: async () => differ.shift()! }, true),
    ).rejects.toMatchObject({ code: 'BACKUP_PASSPHRASE' });
  });

  it('has none without the variable and without a terminal (an empty variable counts as unset)', async () => {
    expect(await obtainPassphrase({ env: { NOVA_BACKUP_PASSPHRASE: '' } })).toBeUndefined();
  });
});
