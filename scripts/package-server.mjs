// `npm run package:server`: the headless server as one Linux x64 executable,
// made with Node's own Single Executable Applications, plus a tarball.
//
//   release/nova-db-linux-x64                  the binary (every CLI command)
//   release/nova-db-<version>-linux-x64.tar.gz the binary as `nova-db`, the
//                                              systemd unit, the compose files, INSTALL.md
//
// Steps: bundle dist/main/binary/sea-main.js and everything it imports into
// one CommonJS file (esbuild); list the files the program reads at run time
// as SEA assets with their checksums (the SQLite engine's compiled module,
// the admin UI, the SQL migrations, the compose files, the unit template);
// let this Node.js write the SEA blob; copy this Node.js and inject the blob
// (postject). Run `npm run build` first (the npm script does).
//
// Options: --out DIR (default release/), --no-tarball.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { gitCommit } from './lib/git-commit.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { out: { type: 'string' }, 'no-tarball': { type: 'boolean' } },
});
const out = resolve(args.out ?? join(root, 'release'));
const work = join(out, '.sea-work');
const started = Date.now();

/** The blob's place in the Node.js binary (Node's documented fuse for SEA). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ENTRY = join(root, 'dist/main/binary/sea-main.js');
const ADDON = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

/**
 * Modules that use import.meta.url, which a CommonJS bundle does not have.
 * Each one asks main/core/asset-locations.ts (or the compiled-in build info)
 * first, so in the binary that code path is never reached. Any other module
 * using it fails the build rather than failing at run time.
 */
const IMPORT_META_GUARDED = new Set([
  'dist/main/core/package-version.js',
  'dist/main/core/schema/migration-files.js',
  'dist/main/core/services/docker/compose-files.js',
  'dist/main/server/api/headless-server.js',
]);

function fail(message) {
  console.error(`package-server: ${message}`);
  process.exit(1);
}

function step(message) {
  console.log(`package-server: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (process.platform !== 'linux' || process.arch !== 'x64')
  fail(
    `builds the Linux x64 binary only, on Linux x64 (this is ${process.platform}/${process.arch}).`,
  );
if (!existsSync(ENTRY))
  fail('dist/ is not built; run npm run build (npm run package:server does).');
if (!existsSync(ADDON))
  fail(`${relative(root, ADDON)} is missing; run npm rebuild better-sqlite3.`);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const buildInfo = { version: pkg.version, commit: gitCommit(root) };

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. One CommonJS script. better-sqlite3 finds its compiled module through
// the `bindings` package, which searches node_modules; in the binary,
// main/binary/sqlite-addon.ts loads the unpacked copy instead.
const bundleFile = join(work, 'nova-db.cjs');
const absent = new Set();
const result = await esbuild
  .build({
    entryPoints: [ENTRY],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    define: { NOVA_BUILD_INFO: JSON.stringify(buildInfo) },
    legalComments: 'none',
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [
      {
        name: 'sqlite-addon-from-assets',
        setup(build) {
          build.onResolve({ filter: /^bindings$/ }, () => ({
            path: 'bindings',
            namespace: 'nova',
          }));
          build.onLoad({ filter: /.*/, namespace: 'nova' }, () => ({
            contents: `module.exports = () => require(${JSON.stringify(join(root, 'dist/main/binary/sqlite-addon.js'))}).loadSqliteAddon();`,
            resolveDir: root,
            loader: 'js',
          }));
        },
      },
      {
        // Optional packages the drivers try inside try/catch (ws's bufferutil,
        // mongodb's kerberos and compressors, pg-native) and that are not
        // installed: in the binary, a require() of them would go to Node's SEA
        // require, which only loads built-in modules and warns on every try.
        // They become modules that throw "not found", as they do in a checkout.
        name: 'absent-optional-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, async (a) => {
            if (a.kind !== 'require-call' || a.pluginData?.probing || isBuiltin(a.path))
              return undefined;
            const found = await build.resolve(a.path, {
              kind: a.kind,
              importer: a.importer,
              resolveDir: a.resolveDir,
              pluginData: { probing: true },
            });
            if (found.errors.length === 0) return { path: found.path, external: found.external };
            absent.add(a.path);
            return { path: a.path, namespace: 'absent' };
          });
          build.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({
            contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${a.path}' (not part of the nova-db binary)`)}), { code: 'MODULE_NOT_FOUND' });`,
            loader: 'js',
          }));
        },
      },
    ],
  })
  .catch((err) =>
    fail(`bundling failed:\n${err.errors?.map((e) => `  ${e.text}`).join('\n') ?? err}`),
  );
const unguarded = result.warnings.filter(
  (w) => w.text.includes('import.meta') && !IMPORT_META_GUARDED.has(w.location?.file ?? ''),
);
if (unguarded.length > 0) {
  fail(
    `import.meta is used where the binary cannot provide it:\n${unguarded.map((w) => `  ${w.location?.file}:${w.location?.line}`).join('\n')}\n` +
      'Resolve the file through main/core/asset-locations.ts, then add the module to IMPORT_META_GUARDED.',
  );
}
step(
  `bundled ${(statSync(bundleFile).size / 1e6).toFixed(1)} MB of JavaScript; optional packages not installed: ${[...absent].sort().join(', ') || 'none'}`,
);

// 2. The assets, keyed by their path in the unpacked cache directory
// (main/binary/sea-main.ts knows the layout).
const assets = new Map([['better_sqlite3.node', ADDON]]);
function addTree(prefix, dir) {
  if (!existsSync(dir)) fail(`${relative(root, dir)} is missing; run npm run build.`);
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, entry);
    if (statSync(file).isFile()) assets.set(`${prefix}/${entry.split(sep).join('/')}`, file);
  }
}
addTree('sql', join(root, 'dist/main/core/schema/sql'));
addTree('renderer', join(root, 'dist/renderer'));
for (const compose of ['docker-compose.yml', 'docker-compose.prod.yml'])
  assets.set(`compose/${compose}`, join(root, compose));
assets.set('nova-db.service', join(root, 'resources/nova-db.service'));

const manifest = {
  files: [...assets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, file]) => {
      const bytes = readFileSync(file);
      return { key, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    }),
};
const manifestFile = join(work, 'manifest.json');
writeFileSync(manifestFile, JSON.stringify(manifest));

// 3. The blob. The code cache makes start-up faster; it only works in the
// very Node.js binary that made it, which is the one we copy below.
const blob = join(work, 'sea-prep.blob');
const seaConfig = {
  main: bundleFile,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  assets: { 'manifest.json': manifestFile, ...Object.fromEntries(assets) },
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
quiet(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')]);
step(`wrote the SEA blob: ${(statSync(blob).size / 1e6).toFixed(1)} MB, ${assets.size} assets`);

// 4. This Node.js plus the blob.
const binary = join(out, 'nova-db-linux-x64');
rmSync(binary, { force: true });
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
// Node's release binaries carry ~12 MB of symbols a server does not need.
// Stripped before the blob goes in (stripping afterwards would damage it).
const stripped = tryRun('strip', ['--strip-all', binary]);
// postject's CLI in a child process: its ELF library prints harmless
// warnings about note sections, shown only when the injection fails.
quiet(process.execPath, [
  createRequire(import.meta.url).resolve('postject/dist/cli.js'),
  binary,
  'NODE_SEA_BLOB',
  blob,
  '--sentinel-fuse',
  SEA_FUSE,
]);
step(
  `built ${relative(root, binary)}: ${(statSync(binary).size / 1e6).toFixed(1)} MB${stripped ? '' : ' (strip not found: symbols kept)'}`,
);

// 5. The tarball.
if (!args['no-tarball']) {
  const name = `nova-db-${pkg.version}-linux-x64`;
  const stage = join(work, name);
  mkdirSync(stage);
  copyFileSync(binary, join(stage, 'nova-db'));
  chmodSync(join(stage, 'nova-db'), 0o755);
  copyFileSync(join(root, 'resources/nova-db.service'), join(stage, 'nova-db.service'));
  for (const compose of ['docker-compose.yml', 'docker-compose.prod.yml'])
    copyFileSync(join(root, compose), join(stage, compose));
  const needs = symbolVersions([process.execPath, ADDON]);
  const install = readFileSync(join(root, 'resources/server/INSTALL.md'), 'utf8')
    .replaceAll('{{version}}', pkg.version)
    .replaceAll('{{commit}}', buildInfo.commit)
    .replaceAll('{{glibc}}', needs?.GLIBC ?? 'as new as the build machine')
    .replaceAll('{{glibcxx}}', needs?.GLIBCXX ?? 'as new as the build machine');
  writeFileSync(join(stage, 'INSTALL.md'), install);
  const tarball = join(out, `${name}.tar.gz`);
  execFileSync('tar', [
    '-czf',
    tarball,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    work,
    name,
  ]);
  step(`packed ${relative(root, tarball)}: ${(statSync(tarball).size / 1e6).toFixed(1)} MB`);
}
rmSync(work, { recursive: true, force: true });

/** Runs an optional tool; false when it is not installed or fails. */
function tryRun(command, commandArgs) {
  try {
    execFileSync(command, commandArgs, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a build tool; its output is shown only when it fails. */
function quiet(command, commandArgs) {
  try {
    execFileSync(command, commandArgs, { stdio: 'pipe', maxBuffer: 64 << 20 });
  } catch (err) {
    process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    fail(`${command} ${commandArgs.join(' ')} failed (exit ${err.status ?? err.signal}).`);
  }
}

/**
 * The newest GLIBC_x.y and GLIBCXX_x.y.z symbol versions the files need
 * (objdump), which say how old a Linux the binary runs on; null when
 * objdump is not installed.
 */
function symbolVersions(files) {
  const newest = {};
  for (const file of files) {
    let symbols;
    try {
      symbols = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    } catch {
      return null;
    }
    for (const [, lib, v] of symbols.matchAll(/\b(GLIBC|GLIBCXX)_(\d+(?:\.\d+)+)\b/g)) {
      if (!newest[lib] || compareVersions(v, newest[lib]) > 0) newest[lib] = v;
    }
  }
  return newest;
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
