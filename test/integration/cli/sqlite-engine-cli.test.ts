/**
 * The headless path when the SQLite engine cannot load: the built `nova-db`
 * runs from a copy of this checkout whose better-sqlite3 holds a module
 * built for another ABI (as after `electron-rebuild`), or none at all (a
 * failed `npm install`). `serve` must say so in two lines (`nova-db: …`,
 * `fix: …`), exit 1 and start nothing; another command that meets the
 * engine later (`migrate`) must report the same cause, not "unexpected error".
 *
 * The copy: dist/ and every other package are symbolic links into this
 * checkout, better-sqlite3 is a real folder; Node runs with
 * --preserve-symlinks so modules resolve from the copy.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { buildWrongAbiModule } from '../../support/native-modules.js';
import { buildCli, cleanEnv, repo } from './cli-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nova-engine-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the checkout at `root` whose better-sqlite3 has `addon` (or no compiled module). */
function checkoutWith(root: string, addon: 'wrong-abi' | 'missing'): string {
  mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  symlinkSync(path.join(repo, 'dist'), path.join(root, 'dist'));
  copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  for (const name of readdirSync(path.join(repo, 'node_modules'))) {
    if (name === 'better-sqlite3' || name === '.bin' || name.startsWith('.')) continue;
    symlinkSync(path.join(repo, 'node_modules', name), path.join(root, 'node_modules', name));
  }
  const pkg = path.join(root, 'node_modules', 'better-sqlite3');
  const real = path.join(repo, 'node_modules', 'better-sqlite3');
  cpSync(path.join(real, 'lib'), path.join(pkg, 'lib'), { recursive: true });
  copyFileSync(path.join(real, 'package.json'), path.join(pkg, 'package.json'));
  if (addon === 'wrong-abi') {
    const release = path.join(pkg, 'build', 'Release');
    mkdirSync(release, { recursive: true });
    // 139: the ABI of the Electron this project uses.
    return buildWrongAbiModule(release, 139);
  }
  return path.join(pkg, 'build', 'Release', 'better_sqlite3.node');
}

function runCopy(root: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--preserve-symlinks',
        '--preserve-symlinks-main',
        path.join(root, 'dist', 'main', 'cli', 'index.js'),
        ...args,
      ],
      { cwd: dir, env: cleanEnv({ NOVA_LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let wrongAbi: { root: string; addon: string };
let missing: { root: string; addon: string };

beforeAll(() => {
  buildCli();
  const a = path.join(dir, 'wrong-abi');
  wrongAbi = { root: a, addon: checkoutWith(a, 'wrong-abi') };
  const m = path.join(dir, 'missing');
  missing = { root: m, addon: checkoutWith(m, 'missing') };
});

describe('nova-db with a SQLite engine that cannot load', () => {
  it('serve: two lines with the cause (both ABIs, the file) and the fix, exit 1, nothing started', async () => {
    const data = path.join(dir, 'data-abi');
    const r = await runCopy(wrongAbi.root, ['serve', '--port', '0', '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `nova-db: Nova DB cannot start: its SQLite engine (${wrongAbi.addon}) was compiled for a different runtime than Node.js ${process.version}: built for ABI 139, this runtime needs ABI ${process.versions.modules}.\n` +
        `fix: In the Nova DB folder, compile the engine for this Node.js (${process.version}): npm rebuild better-sqlite3 (needs g++, make and python3).\n`,
    );
    expect(r.stdout).toBe('');
    expect(existsSync(data)).toBe(false);
  });

  it('serve --json: the same error as data on stdout', async () => {
    const r = await runCopy(wrongAbi.root, [
      '--json',
      'serve',
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'd2'),
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: {
        code: 'NATIVE_MODULE_FAILED',
        message: expect.stringContaining('built for ABI 139'),
      },
    });
  });

  it('serve: names the missing module when npm never built it', async () => {
    const r = await runCopy(missing.root, [
      'serve',
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'd3'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `nova-db: Nova DB cannot start: its SQLite engine (${missing.addon}) is missing from this installation.\n` +
        `fix: In the Nova DB folder, compile the engine for this Node.js (${process.version}): npm rebuild better-sqlite3 (needs g++, make and python3).\n`,
    );
  });

  it('migrate: the engine failure met mid-command is reported as such', async () => {
    const legacy = generateLegacyDatabase(path.join(dir, 'log.sqlite'), { users: 3, logs: 5 });
    const r = await runCopy(wrongAbi.root, [
      'migrate',
      '--source',
      legacy.file,
      '--postgres-url',
      'postgres://postgres@127.0.0.1:1/none',
      '--dry-run',
      '--data-dir',
      path.join(dir, 'd4'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `nova-db: Nova DB cannot start: its SQLite engine (${wrongAbi.addon})`,
    );
    expect(r.stderr).toContain('fix: In the Nova DB folder, compile the engine');
    expect(r.stderr).not.toMatch(/Unexpected error|\n\s+at /);
  });
});
