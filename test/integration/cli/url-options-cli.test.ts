/**
 * Passwords on the command line (issue 13): `migrate --postgres-url` with a
 * password warns that `ps` shows it; `--postgres-url-file` reads the URL from
 * a file instead (and warns when that file is readable by others); bad
 * inputs are refused without quoting the file. Against a scratch PostgreSQL.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { cleanEnv, runNova } from './cli-process.js';

let root: string;
let db: ScratchDatabase;
let legacy: string;
const env = cleanEnv();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-url-file-'));
  db = await createScratchDatabase('nova_url_file');
  legacy = generateLegacyDatabase(path.join(root, 'log.sqlite'), { users: 3, logs: 5 }).file;
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

const withPassword = () => db.url.replace('://', '://postgres:UrlFilePw55@');
const migrate = (...args: string[]) =>
  runNova(
    ['--data-dir', path.join(root, 'data'), 'migrate', '--source', legacy, '--dry-run', ...args],
    { env, cwd: root, timeoutMs: 120_000 },
  );

describe('connection URLs off the command line (issue 13)', () => {
  it('warns when --postgres-url carries a password, and never prints it', async () => {
    const r = await migrate('--postgres-url', withPassword());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /--postgres-url carries a password, which other users of this machine can read in the process list/,
    );
    expect(r.stderr).toContain('--postgres-url-file FILE');
    expect(r.stdout + r.stderr).not.toContain('UrlFilePw55');
    const plain = await migrate('--postgres-url', db.url);
    expect(plain.stderr).not.toContain('carries a password');
  }, 120_000);

  it('--postgres-url-file reads the URL (comments and blank lines skipped), private file: no warning', async () => {
    const file = path.join(root, 'pg-url');
    await writeFile(file, `# the target\n\n${withPassword()}\n`, { mode: 0o600 });
    const r = await migrate('--postgres-url-file', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('carries a password');
    expect(r.stderr).not.toContain('can be read by other users');
    expect(r.stdout + r.stderr).not.toContain('UrlFilePw55');
    await chmod(file, 0o644);
    const open = await migrate('--postgres-url-file', file);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain(`can be read by other users; make it private: chmod 600 ${file}`);
  }, 120_000);

  it('refuses bad inputs with a fix, without quoting the file', async () => {
    const both = await migrate('--postgres-url', db.url, '--postgres-url-file', '/nonexistent');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Give --postgres-url or --postgres-url-file, not both.');

    const missing = await migrate('--postgres-url-file', path.join(root, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read --postgres-url-file .*nope \(ENOENT\)/);

    const empty = path.join(root, 'empty');
    await writeFile(empty, '\n\n', { mode: 0o600 });
    expect((await migrate('--postgres-url-file', empty)).stderr).toContain('holds no URL');

    const notUrl = path.join(root, 'shadow-like');
    await writeFile(notUrl, 'root:$6$SaltQq$Hash:19000:0:99999:7:::\n', { mode: 0o600 });
    const r = await migrate('--postgres-url-file', notUrl);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not hold a connection URL on its first line');
    expect(r.stderr).not.toMatch(/root:|SaltQq/);
  }, 120_000);
});
