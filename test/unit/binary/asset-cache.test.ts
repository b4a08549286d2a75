/**
 * The single binary's private cache of unpacked files (main/binary/asset-cache.ts):
 * checksum-named, 0700, files 0600; reused when intact, replaced when a
 * file was damaged; a bundled file that does not match its checksum, an
 * unusable cache folder and a cache folder owned by someone else are
 * refused with a clear error; processes unpacking at once end with one
 * complete copy. The bytes come from plain files here (node:sea in the binary).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
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
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assetCacheRoot,
  assetDirName,
  unpackAssets,
  type AssetManifest,
} from '../../../main/binary/asset-cache.js';
import { NovaError } from '../../../main/core/errors.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'nova-asset-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES: Record<string, Buffer> = {
  'better_sqlite3.node': Buffer.alloc(300_000, 7),
  'sql/postgres/0001_nova_schema.sql': Buffer.from('CREATE TABLE t (id int);\n'),
  'renderer/index.html': Buffer.from('<!doctype html><title>Nova</title>\n'),
  'renderer/assets/index-abc.js': Buffer.from('console.log(1);\n'),
};

function manifestOf(files: Record<string, Buffer>): AssetManifest {
  return {
    files: Object.entries(files).map(([key, bytes]) => ({
      key,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    })),
  };
}

const manifest = manifestOf(FILES);
const mode = (p: string) => statSync(p).mode & 0o777;

function counting(files: Record<string, Buffer>) {
  const reads: string[] = [];
  return {
    reads,
    read: (key: string) => {
      reads.push(key);
      return new Uint8Array(files[key]!);
    },
  };
}

describe('unpackAssets', () => {
  it('writes every file into <root>/assets-<checksum>, folders 0700 and files 0600', () => {
    const root = path.join(dir, 'fresh', 'nova-db');
    const source = counting(FILES);
    const target = unpackAssets(manifest, source.read, root);
    expect(path.basename(target)).toMatch(/^assets-[0-9a-f]{16}$/);
    expect(target).toBe(path.join(root, assetDirName(manifest)));
    expect(mode(root)).toBe(0o700);
    expect(mode(target)).toBe(0o700);
    expect(mode(path.join(target, 'renderer', 'assets'))).toBe(0o700);
    for (const [key, bytes] of Object.entries(FILES)) {
      const file = path.join(target, ...key.split('/'));
      expect(readFileSync(file).equals(bytes), key).toBe(true);
      expect(mode(file), key).toBe(0o600);
    }
    expect(source.reads.sort()).toEqual(Object.keys(FILES).sort());
    // No staging folder left behind.
    expect(readdirSync(root)).toEqual([path.basename(target)]);
  });

  it('reuses an intact copy without reading the bundle again, and replaces a damaged file', () => {
    const root = path.join(dir, 'reuse');
    const target = unpackAssets(manifest, counting(FILES).read, root);
    const again = counting(FILES);
    expect(unpackAssets(manifest, again.read, root)).toBe(target);
    expect(again.reads).toEqual([]);

    writeFileSync(path.join(target, 'better_sqlite3.node'), 'truncated');
    const repair = counting(FILES);
    expect(unpackAssets(manifest, repair.read, root)).toBe(target);
    expect(repair.reads.length).toBe(Object.keys(FILES).length);
    expect(
      readFileSync(path.join(target, 'better_sqlite3.node')).equals(FILES['better_sqlite3.node']!),
    ).toBe(true);
  });

  it('gives another version its own folder', () => {
    const root = path.join(dir, 'versions');
    const next = {
      ...FILES,
      'renderer/index.html': Buffer.from('<!doctype html><title>Nova 2</title>\n'),
    };
    const a = unpackAssets(manifest, counting(FILES).read, root);
    const b = unpackAssets(manifestOf(next), counting(next).read, root);
    expect(a).not.toBe(b);
    expect(readdirSync(root).sort()).toEqual([path.basename(a), path.basename(b)].sort());
  });

  it('tightens a cache root others can read to 0700', () => {
    const root = path.join(dir, 'loose');
    mkdirSync(root, { mode: 0o755 });
    unpackAssets(manifest, counting(FILES).read, root);
    expect(mode(root)).toBe(0o700);
  });

  it('refuses bundled bytes that do not match the manifest, leaving no folder behind', () => {
    const root = path.join(dir, 'mismatch');
    const damaged = {
      ...FILES,
      'sql/postgres/0001_nova_schema.sql': Buffer.from('DROP TABLE t;\n'),
    };
    let error: unknown;
    try {
      unpackAssets(manifest, counting(damaged).read, root);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NovaError);
    expect((error as NovaError).code).toBe('ASSET_CACHE_FAILED');
    expect((error as NovaError).message).toContain(
      'sql/postgres/0001_nova_schema.sql does not match its checksum',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('says which folder could not be used, with NOVA_CACHE_DIR as the fix', () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => unpackAssets(manifest, counting(FILES).read, path.join(file, 'cache'))).toThrow(
      expect.objectContaining({
        code: 'ASSET_CACHE_FAILED',
        message: expect.stringContaining(
          `into ${path.join(file, 'cache', assetDirName(manifest))} (ENOTDIR)`,
        ),
        fix: expect.stringContaining('NOVA_CACHE_DIR'),
      }),
    );
  });

  it.skipIf(process.getuid?.() !== 0)(
    'will not load code from a cache folder owned by another user',
    () => {
      const root = path.join(dir, 'foreign');
      mkdirSync(root, { mode: 0o700 });
      chownSync(root, 12345, 12345);
      expect(() => unpackAssets(manifest, counting(FILES).read, root)).toThrow(
        /owned by another user/,
      );
    },
  );

  it('lets processes that start at once share one complete copy', async () => {
    const root = path.join(dir, 'race');
    const source = path.join(dir, 'race-source');
    for (const [key, bytes] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(source, key)), { recursive: true });
      writeFileSync(path.join(source, key), bytes);
    }
    const module = path.resolve('dist/main/binary/asset-cache.js');
    const script = `
      const { readFileSync } = require('node:fs');
      import(${JSON.stringify(module)}).then(({ unpackAssets }) => {
        const manifest = ${JSON.stringify(manifest)};
        process.stdout.write(unpackAssets(manifest, (k) => readFileSync(${JSON.stringify(source)} + '/' + k), ${JSON.stringify(root)}));
      });`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['-e', script])),
    );
    const targets = new Set(results.map((r) => r.stdout));
    expect(targets.size).toBe(1);
    expect(readdirSync(root)).toEqual([assetDirName(manifest)]);
    const again = counting(FILES);
    unpackAssets(manifest, again.read, root);
    expect(again.reads).toEqual([]);
  });
});

describe('assetCacheRoot', () => {
  it('takes NOVA_CACHE_DIR, then systemd CacheDirectory, then XDG_CACHE_HOME, then ~/.cache', () => {
    const env = {
      NOVA_CACHE_DIR: '/srv/c',
      CACHE_DIRECTORY: '/var/cache/nova-db:/x',
      XDG_CACHE_HOME: '/xdg',
      HOME: '/home/u',
    };
    expect(assetCacheRoot(env)).toBe('/srv/c');
    expect(assetCacheRoot({ ...env, NOVA_CACHE_DIR: '' })).toBe('/var/cache/nova-db/assets');
    expect(assetCacheRoot({ XDG_CACHE_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/nova-db');
    expect(assetCacheRoot({ HOME: '/home/u' })).toBe('/home/u/.cache/nova-db');
  });
});
