/**
 * Running PostgreSQL when Nova is root: the OS user choice (real `id`
 * lookups against this machine's accounts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadCredentials } from '../../../../main/core/config/credentials.js';
import { isNovaError } from '../../../../main/core/errors.js';
import { NativeProvider } from '../../../../main/core/services/native/native-provider.js';
import { isRoot, resolvePostgresOsUser } from '../../../../main/core/services/native/os-user.js';

describe.runIf(isRoot())('PostgreSQL OS user when Nova runs as root', () => {
  it('automatic: the postgres account', async () => {
    const uid = Number((await execa('id', ['-u', 'postgres'])).stdout);
    expect(await resolvePostgresOsUser(undefined)).toMatchObject({ name: 'postgres', uid });
  });

  it.each([
    ['a name that is not a user name', 'pg; rm -rf /', /not a valid OS user name/],
    ['a user that does not exist', 'nova-no-such-user', /does not exist/],
    ['root itself', 'root', /is root; PostgreSQL refuses to run as root/],
  ])('refuses %s with INVALID_ARGUMENT', async (_label, name, message) => {
    await expect(resolvePostgresOsUser(name)).rejects.toSatisfy(
      (e: unknown) => isNovaError(e, 'INVALID_ARGUMENT') && message.test((e as Error).message),
    );
  });

  it('running as root without an OS user is refused before initdb runs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nova-osuser-'));
    try {
      const provider = new NativeProvider({
        dataDir: dir,
        credentials: await loadCredentials(dir),
        postgresOsUser: null,
      });
      await expect(provider.start('postgres')).rejects.toSatisfy(
        (e: unknown) =>
          isNovaError(e, 'INVALID_ARGUMENT') && /refuses to run as root/.test((e as Error).message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
