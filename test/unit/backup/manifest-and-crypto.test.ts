/** The manifest's self-check and schema, the key derivation and the passphrase check. */
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import {
  newEncryption,
  unlockBackup,
  encryptPart,
  decryptPart,
} from '../../../main/core/backup/backup-crypto.js';
import {
  canonicalJson,
  parseManifest,
  sealManifest,
  type ManifestBody,
} from '../../../main/core/backup/manifest.js';
import { RowSetHasher, compareContents } from '../../../main/core/backup/content-checksum.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

function body(): ManifestBody {
  return {
    format: 'nova-backup',
    formatVersion: 1,
    id: 'deadbeef',
    name: '20250101T000000Z-deadbeef',
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    reason: 'manual',
    novaVersion: '0.1.0',
    host: 'test',
    encryption: null,
    parts: [
      {
        name: 'sqlite.db.gz',
        service: 'sqlite',
        format: 'sqlite-gzip',
        bytes: 10,
        sha256: 'a'.repeat(64),
        encryption: null,
        source: 'SQLite /x',
        serverVersion: '3.45.0',
        tool: 'test',
        tables: [{ name: 'users', rows: 2, checksum: 'b'.repeat(64) }],
        notes: [],
      },
    ],
  };
}

function expectCorrupt(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    expect((err as NovaError).code).toBe('BACKUP_CORRUPT');
    expect((err as NovaError).message).toMatch(message);
    return;
  }
  throw new Error('expected BACKUP_CORRUPT');
}

describe('manifest', () => {
  it('round-trips through its text, whatever the key order and indentation', () => {
    const sealed = sealManifest(body());
    expect(parseManifest(JSON.stringify(sealed, null, 2), 'x')).toEqual(sealed);
    const reordered = JSON.parse(canonicalJson(sealed)) as object;
    expect(parseManifest(JSON.stringify(reordered), 'x').checksum).toBe(sealed.checksum);
  });

  it('refuses any edit, broken JSON, an unknown version and a foreign file, saying which', () => {
    const sealed = sealManifest(body());
    const edited = { ...sealed, reason: 'scheduled' };
    expectCorrupt(
      () => parseManifest(JSON.stringify(edited), 'the backup X'),
      /manifest of the backup X was changed after/,
    );
    expectCorrupt(() => parseManifest('{"format":', 'X'), /not valid JSON/);
    expectCorrupt(
      () => parseManifest(JSON.stringify({ ...sealed, formatVersion: 9 }), 'X'),
      /format version 9/,
    );
    expectCorrupt(
      () => parseManifest(JSON.stringify({ hello: 'world' }), 'X'),
      /not a Nova backup manifest: format/,
    );
    expectCorrupt(
      () =>
        parseManifest(
          JSON.stringify({ ...sealed, parts: [{ ...sealed.parts[0], name: '../../etc/passwd' }] }),
          'X',
        ),
      /parts\.0\.name must be a plain file name/,
    );
  });
});

describe('encryption', () => {
  it('derives the same key from the same passphrase and tells a wrong one apart', async () => {
    const { key, header } = await newEncryption('correct horse battery', FAST);
    expect(header.kdf).toMatchObject({ name: 'scrypt', N: 1024, r: 8, p: 1, keyLength: 32 });
    expect(await unlockBackup('correct horse battery', header, 'X')).toEqual(key);
    await expect(
      unlockBackup('correct horse batterY', header, 'the backup X'),
    ).rejects.toMatchObject({
      code: 'BACKUP_PASSPHRASE',
      message: 'The passphrase is wrong for the backup X.',
    });
    await expect(unlockBackup(undefined, header, 'X')).rejects.toMatchObject({
      code: 'BACKUP_PASSPHRASE',
      fix: expect.stringMatching(/NOVA_BACKUP_PASSPHRASE/),
    });
  });

  it('uses a fresh salt per backup and refuses short passphrases', async () => {
    const a = await newEncryption('correct horse battery', FAST);
    const b = await newEncryption('correct horse battery', FAST);
    expect(a.header.kdf.salt).not.toBe(b.header.kdf.salt);
    expect(a.key.equals(b.key)).toBe(false);
    await expect(newEncryption('1234567', FAST)).rejects.toMatchObject({
      code: 'BACKUP_PASSPHRASE',
    });
  });

  it('authenticates the part name, so parts cannot be swapped', async () => {
    const { key } = await newEncryption('correct horse battery', FAST);
    const c = encryptPart(key, 'a.gz');
    const ciphertext = Buffer.concat([c.stream.update('secret data'), c.stream.final()]);
    const ok = decryptPart(key, 'a.gz', { iv: c.iv, tag: c.tag() });
    expect(Buffer.concat([ok.update(ciphertext), ok.final()]).toString()).toBe('secret data');
    const swapped = decryptPart(key, 'b.gz', { iv: c.iv, tag: c.tag() });
    swapped.update(ciphertext);
    expect(() => swapped.final()).toThrow(/authenticate/);
  });
});

describe('content checksums', () => {
  it('ignore row order but count duplicates', () => {
    const a = new RowSetHasher();
    const b = new RowSetHasher();
    for (const r of ['x', 'y', 'z']) a.add(r);
    for (const r of ['z', 'x', 'y']) b.add(r);
    expect(a.digest()).toBe(b.digest());
    const dup = new RowSetHasher();
    for (const r of ['x', 'x', 'y', 'z']) dup.add(r);
    expect(dup.digest()).not.toBe(a.digest());
    const pair = new RowSetHasher();
    for (const r of ['x', 'x']) pair.add(r);
    expect(pair.digest()).not.toBe(new RowSetHasher().digest());
  });

  it('describe every difference between two content lists', () => {
    const t = (name: string, rows: number, checksum = 'c'.repeat(64)) => ({ name, rows, checksum });
    expect(compareContents([t('a', 1)], [t('a', 1)])).toEqual([]);
    expect(
      compareContents(
        [t('a', 1), t('b', 2), t('c', 3)],
        [t('a', 2), t('b', 2, 'd'.repeat(64)), t('e', 0)],
      ),
    ).toEqual([
      'a: 2 rows instead of 1',
      'b: same row count, different content',
      'c: missing',
      'e: not in the backup',
    ]);
  });
});
