/**
 * Acceptance of the single-binary server (`npm run package:server`): built
 * once, copied ALONE into an empty folder and run with a PATH that has no
 * node or npm — `--version` with the commit, `serve` answering /health and
 * serving the admin UI, `migrate` of a generated legacy file into a scratch
 * PostgreSQL database with every row accounted for (the sqlite3 CLI counts
 * the source, PostgreSQL counts what landed), the systemd unit it writes,
 * its private cache (checksum-named, 0700, repaired when damaged), and the
 * tarball's contents.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { osFreePort } from '../../../main/core/services/ports.js';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { buildServerBinary, repo, type ServerBuild } from '../../support/server-binary.js';

let build: ServerBuild;
let work: string;
let alone: string;
let binary: string;
let home: string;
const children: ChildProcess[] = [];
const scratch: ScratchDatabase[] = [];

beforeAll(() => {
  build = buildServerBinary();
  console.log(
    `server binary: built in ${build.seconds.toFixed(1)} s; ${(build.binaryBytes / 1e6).toFixed(1)} MB; tarball ${(build.tarballBytes / 1e6).toFixed(1)} MB`,
  );
  work = mkdtempSync(path.join(tmpdir(), 'nova-binary-run-'));
  alone = path.join(work, 'alone');
  mkdirSync(alone);
  binary = path.join(alone, 'nova-db');
  copyFileSync(build.binary, binary);
  execFileSync('chmod', ['755', binary]);
  home = path.join(work, 'home');
  mkdirSync(home);
  mkdirSync(path.join(work, 'empty-bin'));
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const db of scratch) await db.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(build.dir, { recursive: true, force: true });
});

/** Only what a bare machine has: no node, no npm, no Nova settings. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: path.join(work, 'empty-bin'),
    HOME: home,
    NOVA_LOG_LEVEL: 'info',
    NOVA_PROFILE: 'embedded',
    ...extra,
  };
}

function runBinary(args: string[], env = bareEnv()) {
  const r = spawnSync(binary, args, { cwd: alone, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the single binary, alone in an empty folder, without node or npm on PATH', () => {
  it('really has no node or npm to fall back on', () => {
    expect(readdirSync(alone)).toEqual(['nova-db']);
    for (const tool of ['node', 'npm'])
      expect(spawnSync(tool, ['--version'], { env: bareEnv() }).error).toMatchObject({
        code: 'ENOENT',
      });
  });

  it('--version prints the version and the commit it was built from', () => {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
    const r = runBinary(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${build.version} \\(commit ${head}(-dirty)?\\)\\n$`));
    // Nothing was unpacked for that.
    expect(readdirSync(home)).toEqual([]);
  });

  it('serve answers /health with 200 and serves the admin UI, then stops on SIGTERM', async () => {
    const port = await osFreePort();
    const child = spawn(
      binary,
      ['serve', '--port', String(port), '--data-dir', path.join(work, 'serve-data')],
      { cwd: alone, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 600 && !health; i++) {
      health = await fetch(`${base}/health`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health?.status, stderr).toBe(200);
    expect(await health!.json()).toMatchObject({ status: 'ok' });

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const js = await fetch(new URL(script!, base));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const shipped = readFileSync(path.join(repo, 'dist', 'renderer', script!.replace(/^\//, '')));
    expect(Buffer.from(await js.arrayBuffer()).equals(shipped)).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/Warning|Error/);
  });

  it('keeps its unpacked files in a private, checksum-named cache folder', () => {
    const cache = path.join(home, '.cache', 'nova-db');
    const [assets, ...others] = readdirSync(cache);
    expect(others).toEqual([]);
    expect(assets).toMatch(/^assets-[0-9a-f]{16}$/);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cache, assets!)).mode & 0o777).toBe(0o700);
    const addon = path.join(cache, assets!, 'better_sqlite3.node');
    expect(sha256(addon)).toBe(
      sha256(path.join(repo, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    );
    expect(readdirSync(path.join(cache, assets!, 'sql')).sort()).toEqual(
      readdirSync(path.join(repo, 'main/core/schema/sql')).sort(),
    );
  });

  it('migrate moves a generated legacy file into PostgreSQL with every row accounted for (and repairs a damaged cache first)', async () => {
    const cache = path.join(home, '.cache', 'nova-db');
    const addon = path.join(cache, readdirSync(cache)[0]!, 'better_sqlite3.node');
    const good = sha256(addon);
    writeFileSync(addon, 'damaged');

    const legacy = generateLegacyDatabase(path.join(work, 'log.sqlite'), {
      users: 40,
      logs: 500,
      quirks: true,
    });
    const db = await createScratchDatabase('nova_binary');
    scratch.push(db);
    const reportDir = path.join(work, 'job');
    const r = runBinary([
      '--json',
      'migrate',
      '--source',
      legacy.file,
      '--postgres-url',
      db.url,
      '--report',
      reportDir,
      '--data-dir',
      path.join(work, 'migrate-data'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(addon)).toBe(good);
    const report = JSON.parse(r.stdout) as MigrationReport;
    expect(report.ok).toBe(true);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = Object.entries(report.tables);
      expect(tables.length).toBeGreaterThan(10);
      let rejected = 0;
      for (const [name, t] of tables) {
        const sourceCount = Number(
          execFileSync(
            'sqlite3',
            ['-readonly', legacy.file, `SELECT count(*) FROM "${name.replace(/"/g, '""')}"`],
            { encoding: 'utf8' },
          ).trim(),
        );
        expect(t.source, name).toBe(sourceCount);
        expect(t.migrated + t.duplicates + t.rejected, name).toBe(t.source);
        expect(t.verified, name).toBe(true);
        const target = t.target.replace(/^postgres:/, '');
        const landed = await client.query(`SELECT count(*)::int AS n FROM "${target}"`);
        expect(landed.rows[0].n, name).toBe(t.migrated);
        rejected += t.rejected;
      }
      expect(rejected).toBeGreaterThan(0);
      expect(report.rejectsTotal).toBe(rejected);
      const lines = readFileSync(report.rejectsFile!, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(rejected);
    } finally {
      await client.end();
    }
  });

  it('service install writes a unit whose ExecStart is this binary, and systemd accepts it', () => {
    const target = path.join(work, 'systemd');
    mkdirSync(target);
    const r = runBinary(['service', 'install', '--target-dir', target]);
    expect(r.code, r.stderr).toBe(0);
    const unit = path.join(target, 'nova-db.service');
    expect(readFileSync(unit, 'utf8')).toMatch(new RegExp(`^ExecStart=${binary} serve$`, 'm'));
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect({ status: verify.status, output: `${verify.stdout}${verify.stderr}`.trim() }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('says so clearly when its cache folder cannot be used', () => {
    const blocker = path.join(work, 'not-a-folder');
    writeFileSync(blocker, '');
    const r = runBinary(
      ['serve', '--port', '0', '--data-dir', path.join(work, 'd5')],
      bareEnv({ NOVA_CACHE_DIR: path.join(blocker, 'cache') }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^nova-db: nova-db could not unpack its bundled files into .*not-a-folder\/cache\/assets-[0-9a-f]{16} \(ENOTDIR\)\.\nfix: Set NOVA_CACHE_DIR to a folder this user can write/,
    );
  });
});

describe('the release tarball', () => {
  it('holds the binary, the unit, the compose files and INSTALL.md, all filled in', () => {
    const name = `nova-db-${build.version}-linux-x64`;
    const listing = execFileSync('tar', ['-tzf', build.tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(listing).toEqual(
      [
        '',
        '/INSTALL.md',
        '/docker-compose.prod.yml',
        '/docker-compose.yml',
        '/nova-db',
        '/nova-db.service',
      ].map((f) => `${name}${f || '/'}`),
    );
    const install = execFileSync('tar', ['-xzOf', build.tarball, `${name}/INSTALL.md`], {
      encoding: 'utf8',
    });
    expect(install).toContain(`# Nova DB ${build.version}`);
    expect(install).toMatch(/glibc \d+\.\d+ or/);
    expect(install).not.toContain('{{');
    const binaryInTar = execFileSync('tar', ['-xzOf', build.tarball, `${name}/nova-db`], {
      maxBuffer: 1 << 30,
    });
    expect(createHash('sha256').update(binaryInTar).digest('hex')).toBe(sha256(build.binary));
  });
});
