/**
 * Everything under the data dir is private to its user, on every path that
 * writes there (issue 13, defect 1): a migration driven through the API (as
 * the UI drives it), a CLI migration, a backup and a restore. The data dir
 * is created 0755 first, as an installer would. After each step the whole
 * tree is walked; any file or directory readable or writable by group or
 * other fails the test. The wizard's copy of the legacy database is
 * also gone once its session ends (the server stops).
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { cleanEnv, runNova } from '../cli/cli-process.js';
import { callApi, loginToken, readyUrl, startServe, stopAllServes } from './serve-process.js';

let root: string;
let dataDir: string;
let legacyFile: string;
let uiTarget: ScratchDatabase;
let cliTarget: ScratchDatabase;

/**
 * Every path under `dir` (and `dir` itself) that group or other may read or
 * write, with its mode. Traverse-only permission on a directory (x without r)
 * lets nobody list or change it; Nova grants it on the way to a native
 * PostgreSQL cluster owned by the `postgres` OS user (services/native/os-user.ts).
 */
async function notPrivate(dir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (p: string): Promise<void> => {
    const info = await lstat(p);
    if (info.isSymbolicLink()) return; // a link's own mode means nothing; its target is walked where it lives
    if ((info.mode & (info.isDirectory() ? 0o066 : 0o077)) !== 0)
      found.push(`${path.relative(dataDir, p) || '.'} ${(info.mode & 0o777).toString(8)}`);
    if (info.isDirectory()) for (const name of await readdir(p)) await visit(path.join(p, name));
  };
  await visit(dir);
  return found;
}

async function findFiles(dir: string, name: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (name.test(entry.name)) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-perms-'));
  dataDir = path.join(root, 'data');
  await mkdir(dataDir, { mode: 0o755 });
  legacyFile = path.join(root, 'log.sqlite');
  generateLegacyDatabase(legacyFile, { users: 5, logs: 40 });
  uiTarget = await createScratchDatabase('nova_perms_ui');
  cliTarget = await createScratchDatabase('nova_perms_cli');
}, 60_000);

afterAll(async () => {
  await stopAllServes();
  await uiTarget?.drop();
  await cliTarget?.drop();
  await rm(root, { recursive: true, force: true });
});

describe('the data dir stays private on every path (issue 13, defect 1)', () => {
  it('a migration through the API, then a backup through the API', async () => {
    const env = cleanEnv({
      NOVA_POSTGRES_PROFILE: 'external',
      POSTGRES_URL: uiTarget.url,
      NOVA_BACKUP_INTERVAL_HOURS: '0',
    });
    const serve = startServe(['serve', '--port', '0', '--json', '--data-dir', dataDir], {
      cwd: root,
      env,
    });
    const url = await readyUrl(serve);
    const token = loginToken(serve);
    const call = async (method: string, input?: unknown) => {
      const r = await callApi(url, token, method, input);
      expect(r.status, `${method}: ${r.text}`).toBe(200);
      return (JSON.parse(r.text) as { result: Record<string, unknown> }).result;
    };
    const poll = async (taskId: string) => {
      for (;;) {
        const t = await call('tasks.get', { id: taskId });
        if (t.state !== 'running' && t.state !== 'pending') return t;
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    const inspected = await call('migration.inspect', { file: legacyFile });
    const sessionId = inspected.sessionId as string;
    // The wizard's copy of the legacy database is gone as soon as it was inspected.
    const sessionDir = path.join(dataDir, 'migrations', sessionId);
    expect(existsSync(sessionDir)).toBe(true);
    expect(await findFiles(sessionDir, /^snapshot\.sqlite/)).toEqual([]);
    expect(await notPrivate(dataDir)).toEqual([]);

    await call('migration.planPreview', { sessionId });
    // A dry run writes its reports (which quote rows) into the session folder.
    const dry = await poll((await call('migration.dryRun', { sessionId })).taskId as string);
    expect(dry.state, JSON.stringify(dry.error)).toBe('succeeded');
    expect(await notPrivate(dataDir)).toEqual([]);
    const run = await poll((await call('migration.start', { sessionId })).taskId as string);
    expect(run.state, JSON.stringify(run.error)).toBe('succeeded');
    expect(await notPrivate(dataDir)).toEqual([]);

    const backup = await poll((await call('backups.run', {})).taskId as string);
    expect(backup.state, JSON.stringify(backup.error)).toBe('succeeded');
    expect(await notPrivate(dataDir)).toEqual([]);

    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
    // The session ended with the server: its folder (dry-run reports quote rows) is gone.
    expect(existsSync(sessionDir)).toBe(false);
    expect(await findFiles(path.join(dataDir, 'migrations'), /^snapshot\.sqlite/)).toEqual([]);
    expect(await notPrivate(dataDir)).toEqual([]);
  }, 300_000);

  it('a CLI migration, a CLI backup and a restore', async () => {
    const env = cleanEnv({
      NOVA_POSTGRES_PROFILE: 'external',
      POSTGRES_URL: cliTarget.url,
      NOVA_BACKUP_INTERVAL_HOURS: '0',
    });
    const nova = (args: string[]) =>
      runNova(['--data-dir', dataDir, ...args], { env, cwd: root, timeoutMs: 180_000 });

    // A file of its own: the one above is recorded as migrated already.
    const cliLegacy = generateLegacyDatabase(path.join(root, 'cli-log.sqlite'), { users: 4 });
    const migrated = await nova(['migrate', '--source', cliLegacy.file, '--target', 'postgres']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(await notPrivate(dataDir)).toEqual([]);

    const backedUp = await nova(['--json', 'backup']);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(await notPrivate(dataDir)).toEqual([]);

    const backupPath = (JSON.parse(backedUp.stdout) as { path: string }).path;
    const restored = await nova(['restore', '--yes', backupPath]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await notPrivate(dataDir)).toEqual([]);
  }, 400_000);

  it('a wizard session left behind by a killed server is removed at the next start', async () => {
    const env = cleanEnv({ NOVA_BACKUP_INTERVAL_HOURS: '0' });
    const args = ['serve', '--port', '0', '--json', '--data-dir', dataDir];
    const first = startServe(args, { cwd: root, env });
    const url = await readyUrl(first);
    const inspected = await callApi(url, await adminToken(), 'migration.inspect', {
      file: legacyFile,
    });
    expect(inspected.status, inspected.text).toBe(200);
    const sessionId = (JSON.parse(inspected.text) as { result: { sessionId: string } }).result
      .sessionId;
    const sessionDir = path.join(dataDir, 'migrations', sessionId);
    // A snapshot a crash left behind (killed between snapshot and inspect).
    await writeFile(path.join(sessionDir, 'snapshot.sqlite'), 'left by a crash', { mode: 0o600 });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(sessionDir)).toBe(true);

    const second = startServe(args, { cwd: root, env });
    await readyUrl(second);
    expect(existsSync(sessionDir)).toBe(false);
    expect(await findFiles(path.join(dataDir, 'migrations'), /^snapshot\.sqlite/)).toEqual([]);
    expect(second.stderr()).toContain('removed 1 folder(s) left by ended migration sessions');
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});

/** The admin token as serve keeps it (the login link is printed only when it is created). */
async function adminToken(): Promise<string> {
  const creds = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8')) as {
    adminToken: string;
  };
  return creds.adminToken;
}
