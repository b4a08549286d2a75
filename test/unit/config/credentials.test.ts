import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CREDENTIAL_KEYS,
  credentialsPath,
  loadCredentials,
  rotateCredential,
  type CredentialKey,
} from '../../../main/core/config/credentials.js';
import { isNovaError } from '../../../main/core/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nova-cred-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileValues(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(credentialsPath(dir), 'utf8')) as Record<string, unknown>;
}

describe('credentials', () => {
  it('generates random secrets on first use, stored 0600, and reads the same ones back later', async () => {
    const first = await loadCredentials(dir);
    for (const key of CREDENTIAL_KEYS) expect(first.get(key).length).toBeGreaterThanOrEqual(32);
    expect(new Set(CREDENTIAL_KEYS.map((k) => first.get(k))).size).toBe(CREDENTIAL_KEYS.length);
    expect(first.postgresPassword).toMatch(/^[0-9a-f]{48}$/);
    expect((await stat(credentialsPath(dir))).mode & 0o777).toBe(0o600);
    const onDisk = await fileValues();
    expect(onDisk.postgresPassword).toBe(first.postgresPassword);

    const again = await loadCredentials(dir);
    for (const key of CREDENTIAL_KEYS) expect(again.get(key)).toBe(first.get(key));
    // No temp files left behind by the atomic write.
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('two data dirs never share secrets', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'nova-cred-'));
    try {
      const a = await loadCredentials(dir);
      const b = await loadCredentials(other);
      expect(a.postgresPassword).not.toBe(b.postgresPassword);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('concurrent first starts agree on one set of secrets', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => loadCredentials(dir)));
    const disk = await fileValues();
    for (const c of all) expect(c.redisPassword).toBe(disk.redisPassword);
  });

  it('never shows the secrets when printed or serialised', async () => {
    const c = await loadCredentials(dir);
    const outputs = [
      JSON.stringify(c),
      inspect(c),
      String(c),
      `${c}`,
      JSON.stringify({ nested: { c } }),
      inspect({ c }, { depth: 5 }),
    ];
    for (const text of outputs) {
      for (const key of CREDENTIAL_KEYS) expect(text).not.toContain(c.get(key));
    }
    expect(JSON.parse(JSON.stringify(c))).toEqual({
      postgresPassword: '***',
      redisPassword: '***',
      mongoPassword: '***',
      adminToken: '***',
    });
    expect(Object.keys({ ...c })).toEqual([]); // spreading exposes nothing
  });

  it('rotate(key) replaces exactly that secret, persistently', async () => {
    const before = await loadCredentials(dir);
    const after = await rotateCredential(dir, 'redisPassword');
    expect(after.redisPassword).not.toBe(before.redisPassword);
    expect(after.postgresPassword).toBe(before.postgresPassword);
    expect(after.adminToken).toBe(before.adminToken);
    expect((await loadCredentials(dir)).redisPassword).toBe(after.redisPassword);
    expect((await stat(credentialsPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('rotate refuses an unknown key', async () => {
    await expect(rotateCredential(dir, 'rootPassword' as CredentialKey)).rejects.toSatisfy(
      (e: unknown) =>
        isNovaError(e, 'INVALID_ARGUMENT') &&
        /postgresPassword/.test((e as Error & { fix: string }).fix),
    );
  });

  it('tightens a file that became world-readable', async () => {
    await loadCredentials(dir);
    await chmod(credentialsPath(dir), 0o644);
    await loadCredentials(dir);
    expect((await stat(credentialsPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('adds secrets introduced later without touching the existing ones', async () => {
    const pg = 'a'.repeat(48);
    await writeFile(credentialsPath(dir), JSON.stringify({ version: 1, postgresPassword: pg }), {
      mode: 0o600,
    });
    const c = await loadCredentials(dir);
    expect(c.postgresPassword).toBe(pg);
    expect(c.redisPassword).toMatch(/^[0-9a-f]{48}$/);
    expect((await fileValues()).redisPassword).toBe(c.redisPassword);
  });

  it.each([
    ['not JSON', '{ "postgresPassword": ', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    [
      'a short secret',
      JSON.stringify({ postgresPassword: 'postgres' }),
      /"postgresPassword" is not a generated secret/,
    ],
    ['a future version', JSON.stringify({ version: 9 }), /version 9/],
  ])('refuses %s with SETTINGS_UNREADABLE and keeps the file', async (_label, content, message) => {
    await writeFile(credentialsPath(dir), content, { mode: 0o600 });
    let error: unknown;
    try {
      await loadCredentials(dir);
    } catch (err) {
      error = err;
    }
    expect(isNovaError(error, 'SETTINGS_UNREADABLE')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as { fix: string }).fix).toMatch(/Restore .* from a backup/);
    expect(await readFile(credentialsPath(dir), 'utf8')).toBe(content); // never silently replaced
  });

  it('reports a data dir it cannot write as DATA_DIR_NOT_WRITABLE', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(loadCredentials(path.join(file, 'sub'))).rejects.toSatisfy((e: unknown) =>
      isNovaError(e, 'DATA_DIR_NOT_WRITABLE'),
    );
    const missing = path.join(dir, 'does-not-exist');
    await expect(loadCredentials(missing)).rejects.toSatisfy(
      (e: unknown) =>
        isNovaError(e, 'DATA_DIR_NOT_WRITABLE') && /--data-dir/.test((e as { fix: string }).fix),
    );
  });
});
