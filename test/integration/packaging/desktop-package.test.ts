/**
 * The desktop installers' configuration (electron-builder.yml), checked here
 * where Electron itself cannot be downloaded:
 * - electron-builder's own schema validation accepts it (and rejects a
 *   misspelt option, so the check is real);
 * - `electron-builder --dir`, given a PLACEHOLDER instead of an Electron
 *   distribution (electronDist), produces the unpacked app. Its app.asar is
 *   opened with @electron/asar: every file the main process, the runtime
 *   host, the preload and the renderer load (found by walking the built
 *   import graph with esbuild from the entry points desktop-app.js names) is
 *   inside, compiled .node modules are unpacked, the SQL migrations and the
 *   tray icons and compose files are where the app looks, and no sources,
 *   tests or maps ship.
 * npmRebuild is switched off on the command line only here: rebuilding
 * better-sqlite3 for Electron downloads Electron's headers. The release
 * workflow runs the configuration as it is.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import asar from '@electron/asar';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);
const work = mkdtempSync(path.join(tmpdir(), 'nova-desktop-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface BuilderConfig {
  [key: string]: unknown;
  nsis?: Record<string, unknown>;
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(
    projectDir: string,
    configPath: string | null,
    fromOptions: null,
  ): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debug: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown;
};

describe('electron-builder.yml', () => {
  it("passes electron-builder's own validation, which does reject a misspelt option", async () => {
    const config = await getConfig(repo, path.join(repo, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    const misspelt = { ...config, nsis: { ...config.nsis, oneClik: false } };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object[\s\S]*configuration\.nsis/,
    );
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg on macOS, with the icons from resources/', async () => {
    const config = await getConfig(repo, path.join(repo, 'electron-builder.yml'), null);
    expect(config).toMatchObject({
      linux: { target: ['AppImage', 'deb'], icon: 'resources/icons' },
      win: { target: ['nsis'], icon: 'resources/icon.ico' },
      mac: { target: [{ target: 'dmg' }], icon: 'resources/icon.icns' },
      nsis: { include: 'resources/installer/kiosk.nsh' },
      asarUnpack: ['**/*.node'],
      npmRebuild: true,
    });
    for (const file of [
      'resources/icon.ico',
      'resources/icon.icns',
      'resources/installer/kiosk.nsh',
    ])
      expect(existsSync(path.join(repo, file)), file).toBe(true);
    const linuxIcons = readdirSync(path.join(repo, 'resources/icons'));
    expect(linuxIcons).toEqual(expect.arrayContaining(['16x16.png', '256x256.png', '512x512.png']));
  });
});

describe('electron-builder --dir with a placeholder Electron', () => {
  const out = path.join(work, 'out');
  const placeholder = path.join(work, 'electron-dist-PLACEHOLDER-not-electron');
  const appDir = path.join(out, 'linux-unpacked');
  const archive = path.join(appDir, 'resources', 'app.asar');
  let files: Set<string>;

  beforeAll(() => {
    // Stands in for Electron's own files, which cannot be downloaded here;
    // electron-builder copies it and renames `electron` to the app's executable.
    mkdirSync(placeholder);
    writeFileSync(
      path.join(placeholder, 'electron'),
      '#!/bin/sh\necho "PLACEHOLDER for the Electron binary (test only): not runnable" >&2\nexit 1\n',
    );
    chmodSync(path.join(placeholder, 'electron'), 0o755);
    writeFileSync(
      path.join(placeholder, 'README.txt'),
      'Test placeholder, not an Electron distribution.\n',
    );
    const r = spawnSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        '--dir',
        '--publish',
        'never',
        `-c.electronDist=${placeholder}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${out}`,
      ],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
    if (r.status !== 0) throw new Error(`electron-builder failed:\n${r.stdout}\n${r.stderr}`);
    files = new Set(
      asar.listPackage(archive, { isPack: false }).map((f) =>
        f
          .replace(/^[/\\]/, '')
          .split(path.sep)
          .join('/'),
      ),
    );
    const size = statSync(archive).size;
    const unpacked = spawnSync('du', ['-sb', `${archive}.unpacked`], {
      encoding: 'utf8',
    }).stdout.split('\t')[0];
    console.log(
      `app.asar: ${(size / 1e6).toFixed(1)} MB, ${[...files].length} entries; app.asar.unpacked: ${(Number(unpacked) / 1e6).toFixed(1)} MB`,
    );
  }, 300_000);

  it('produces the unpacked app around the placeholder, named as the product', () => {
    const executable = path.join(appDir, 'nova-db-desktop');
    expect(readFileSync(executable, 'utf8')).toContain('PLACEHOLDER');
    expect(existsSync(archive)).toBe(true);
  });

  it('holds every module the main process, the runtime host and the preload load', async () => {
    const entries = desktopEntryPoints();
    const metafile = await importGraph(entries);
    const graph = Object.keys(metafile.inputs).filter((f) => !f.includes(':'));
    expect(graph.length).toBeGreaterThan(200);
    // A module may try a package no production dependency declares (debug
    // tries supports-color inside try/catch); it resolves here only because
    // a development tool installed it, and the app does without it.
    const production = productionPackages();
    const optional = new Set<string>();
    const needed = graph.filter((file) => {
      const pkg = packageDir(file);
      if (pkg === null || production.has(pkg)) return true;
      optional.add(pkg);
      return false;
    });
    console.log(
      `import graph: ${needed.length} files; tried but not shipped: ${[...optional].join(', ') || 'none'}`,
    );
    // Only ever require()d (which code can catch), never imported statically (which would fail at load).
    const kinds = Object.values(metafile.inputs).flatMap((input) =>
      input.imports
        .filter((imp) => optional.has(packageDir(imp.path) ?? ''))
        .map((imp) => imp.kind),
    );
    expect(new Set(kinds)).toEqual(new Set(optional.size > 0 ? ['require-call'] : []));
    const missing = needed.filter((file) => !files.has(file));
    expect(missing).toEqual([]);
  });

  it('holds the renderer: every file index.html loads and the rest of dist/renderer', () => {
    const html = readFileSync(path.join(repo, 'dist/renderer/index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"#?]+)"/g)]
      .map((m) => m[1]!)
      .filter((r) => !/^[a-z]+:/.test(r));
    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs)
      expect(files, ref).toContain(path.posix.join('dist/renderer', ref.replace(/^\//, '')));
    for (const f of readdirSync(path.join(repo, 'dist/renderer'), { recursive: true }).map(String))
      if (statSync(path.join(repo, 'dist/renderer', f)).isFile())
        expect(files, f).toContain(`dist/renderer/${f.split(path.sep).join('/')}`);
  });

  it('holds what is read at run time: package.json (main, type), the build info, every SQL migration', () => {
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as {
      main: string;
      type: string;
    };
    expect(pkg).toMatchObject({ main: 'dist/main/electron/index.js', type: 'module' });
    expect(files).toContain('dist/build-info.json');
    const sqlRoot = path.join(repo, 'dist/main/core/schema/sql');
    const sql = readdirSync(sqlRoot, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.sql'));
    expect(sql.length).toBeGreaterThan(1);
    for (const f of sql)
      expect(files).toContain(`dist/main/core/schema/sql/${f.split(path.sep).join('/')}`);
  });

  it('unpacks every compiled module, the SQLite engine among them, and ships no build leftovers', () => {
    const nodeFiles = [...files].filter((f) => f.endsWith('.node'));
    expect(nodeFiles).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    for (const f of nodeFiles) {
      expect(asar.statFile(archive, f), f).toMatchObject({ unpacked: true });
      expect(existsSync(path.join(`${archive}.unpacked`, f)), f).toBe(true);
    }
    expect(nodeFiles).not.toContain(
      'node_modules/better-sqlite3/build/Release/test_extension.node',
    );
    expect(
      [...files].filter((f) => /better-sqlite3\/(deps|src|build\/Release\/obj)/.test(f)),
    ).toEqual([]);
  });

  it('puts the tray icons and the compose files in resources/, where the app reads them', () => {
    const tray = readdirSync(path.join(repo, 'resources/tray')).filter((f) => f.endsWith('.png'));
    expect(readdirSync(path.join(appDir, 'resources', 'tray')).sort()).toEqual(tray.sort());
    expect(readdirSync(path.join(appDir, 'resources', 'compose')).sort()).toEqual([
      'docker-compose.prod.yml',
      'docker-compose.yml',
    ]);
  });

  it('ships no sources, tests, maps or typings, and not the CLI, the HTTP server or the single-binary entry', () => {
    const offending = [...files].filter(
      (f) =>
        /\.(ts|mts|cts|map)$/.test(f) ||
        /^(main|test|bench|scripts|renderer|preload|shared-contract|resources|docs)\//.test(f) ||
        /^dist\/(main\/(cli|server|binary)|preload\/index\.js)/.test(f) ||
        /(^|\/)(test|tests|__tests__)\//.test(f),
    );
    expect(offending).toEqual([]);
  });
});

/** main (package.json), and the preload and runtime host that desktop-app.js starts. */
function desktopEntryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { main: string };
  const desktopApp = readFileSync(path.join(repo, 'dist/main/electron/desktop-app.js'), 'utf8');
  const joined = [...desktopApp.matchAll(/path\.join\(ROOT, ((?:'[^']+'(?:, )?)+)\)/g)].map((m) =>
    [...m[1]!.matchAll(/'([^']+)'/g)].map((p) => p[1]!).join('/'),
  );
  const scripts = joined.filter((p) => /\.(c?js)$/.test(p));
  expect(scripts).toEqual(['dist/preload/preload.cjs', 'dist/main/core/app/runtime-host-entry.js']);
  return [pkg.main, ...scripts];
}

/** node_modules/<name> (or node_modules/@scope/name, nested ones included) holding `file`; null outside node_modules. */
function packageDir(file: string): string | null {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? m[1]! : null;
}

/** The package folders of the production dependency tree, as npm sees it (what electron-builder ships). */
function productionPackages(): Set<string> {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: repo,
    encoding: 'utf8',
  });
  const dirs = r.stdout
    .split('\n')
    .filter((line) => line.startsWith(repo + path.sep) && line.includes('node_modules'))
    .map((line) => path.relative(repo, line).split(path.sep).join('/'));
  expect(dirs.length).toBeGreaterThan(20);
  return new Set(dirs);
}

/** esbuild's record of every file (relative to the repository) the entry points import, statically or with import(). */
async function importGraph(entries: string[]): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    entryPoints: entries.map((e) => path.join(repo, e)),
    absWorkingDir: repo,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: path.join(work, 'graph'),
    external: ['electron'],
    logLevel: 'silent',
  });
  return result.metafile;
}
