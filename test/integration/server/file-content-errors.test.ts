/**
 * With the admin token, migration.inspect and migration.planPreview read any
 * path this user can read. Their errors must say what kind of file it is not
 * — never quote it (issue 13, defect 10): not the first line of a
 * shadow-like file, not the key names or values of a credentials file, not
 * the bytes of a binary.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { cleanEnv } from '../cli/cli-process.js';
import { callApi, loginToken, readyUrl, startServe, stopAllServes } from './serve-process.js';

let root: string;
let url: string;
let token: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-file-errors-'));
  const serve = startServe(
    ['serve', '--port', '0', '--json', '--data-dir', path.join(root, 'data')],
    { cwd: root, env: cleanEnv({ NOVA_BACKUP_INTERVAL_HOURS: '0' }) },
  );
  url = await readyUrl(serve);
  token = loginToken(serve);
}, 60_000);

afterAll(async () => {
  await stopAllServes();
  await rm(root, { recursive: true, force: true });
});

const SHADOW = 'root:$6$ShadowSaltXyz$HashHashHash:19700:0:99999:7:::\ndaemon:*:19700::::::\n';
const CREDENTIALS = JSON.stringify({
  postgresPassword: 'CredPgValue81',
  adminToken: 'CredTokenValue82',
});
const FORBIDDEN =
  /root:|ShadowSalt|HashHash|daemon|postgresPassword|CredPgValue|adminToken|CredTokenValue|BinSecret/;

describe('errors about a file never quote it (issue 13, defect 10)', () => {
  it('migration.inspect says what kind of file it is, not what it contains', async () => {
    const files: [string, string | Buffer, RegExp][] = [
      ['shadow', SHADOW, /is a text file, not a SQLite database\./],
      ['credentials.json', CREDENTIALS, /is a JSON file, not a SQLite database\./],
      [
        'blob.bin',
        Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from('BinSecret'), randomBytes(64)]),
        /it looks like binary data of an unknown kind\)/,
      ],
    ];
    for (const [name, content, expected] of files) {
      const file = path.join(root, name);
      await writeFile(file, content);
      const r = await callApi(url, token, 'migration.inspect', { file });
      expect(r.status, r.text).toBe(422);
      const error = (JSON.parse(r.text) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('NOT_SQLITE');
      expect(error.message).toMatch(expected);
      expect(r.text).not.toMatch(FORBIDDEN);
    }
  });

  it('migration.planPreview with a plan file that is not a plan says what kind of file it is', async () => {
    const legacy = generateLegacyDatabase(path.join(root, 'log.sqlite'), { users: 2, logs: 3 });
    const inspected = await callApi(url, token, 'migration.inspect', { file: legacy.file });
    expect(inspected.status, inspected.text).toBe(200);
    const sessionId = (JSON.parse(inspected.text) as { result: { sessionId: string } }).result
      .sessionId;
    const cases: [string, RegExp][] = [
      [path.join(root, 'shadow'), /it is a text file that is not valid JSON\./],
      [path.join(root, 'credentials.json'), /it is a JSON file without the plan's "tables" list\./],
      [
        path.join(root, 'blob.bin'),
        /it is binary data of an unknown kind that is not valid JSON\./,
      ],
    ];
    for (const [planFile, expected] of cases) {
      const r = await callApi(url, token, 'migration.planPreview', { sessionId, planFile });
      expect(r.status, r.text).toBe(400);
      expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toMatch(
        expected,
      );
      expect(r.text).not.toMatch(FORBIDDEN);
    }
  });
});
