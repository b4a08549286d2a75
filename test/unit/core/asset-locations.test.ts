/**
 * The seam through which an install says where its run-time files are
 * (main/core/asset-locations.ts): asked lazily, once; and each reader —
 * the migration runner, the headless server, the Docker provider — uses
 * the registered place, or its own default when none is registered.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { assetLocation, registerAssetLocations } from '../../../main/core/asset-locations.js';
import { defaultMigrationsDir } from '../../../main/core/schema/migration-files.js';
import { findComposeFile } from '../../../main/core/services/docker/compose-files.js';
import { defaultRendererDir } from '../../../main/server/api/headless-server.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'nova-assets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Back to "nothing registered" (every reader's default) for the next test.
afterEach(() => registerAssetLocations(() => ({})));

describe('asset locations', () => {
  it('asks the locator only on the first question, then remembers the answer', () => {
    let calls = 0;
    registerAssetLocations(() => {
      calls++;
      return { sqlDir: '/x/sql' };
    });
    expect(calls).toBe(0);
    expect(assetLocation('sqlDir')).toBe('/x/sql');
    expect(assetLocation('rendererDir')).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('asks again after a locator failed', () => {
    let fail = true;
    registerAssetLocations(() => {
      if (fail) throw new Error('cache not writable');
      return { sqlDir: '/x/sql' };
    });
    expect(() => assetLocation('sqlDir')).toThrow('cache not writable');
    fail = false;
    expect(assetLocation('sqlDir')).toBe('/x/sql');
  });

  it('leaves every reader on its own default when nothing is registered', () => {
    expect(defaultMigrationsDir('postgres')).toBe(
      path.join(repo, 'main/core/schema/sql/postgres') + path.sep,
    );
    expect(defaultRendererDir()).toBe(path.join(repo, 'dist', 'renderer'));
    expect(findComposeFile('prod')).toBe(path.join(repo, 'docker-compose.prod.yml'));
  });

  it('points the readers at the registered folders', () => {
    const compose = path.join(dir, 'compose');
    mkdirSync(compose);
    writeFileSync(path.join(compose, 'docker-compose.prod.yml'), 'services: {}\n');
    registerAssetLocations(() => ({
      sqlDir: path.join(dir, 'sql'),
      rendererDir: path.join(dir, 'renderer'),
      composeDir: compose,
    }));
    expect(defaultMigrationsDir('sqlite')).toBe(path.join(dir, 'sql', 'sqlite') + path.sep);
    expect(defaultRendererDir()).toBe(path.join(dir, 'renderer'));
    expect(findComposeFile('prod')).toBe(path.join(compose, 'docker-compose.prod.yml'));
    // An explicit folder still wins over the install's.
    expect(findComposeFile('prod', repo)).toBe(path.join(repo, 'docker-compose.prod.yml'));
    expect(() => findComposeFile('dev')).toThrow(
      expect.objectContaining({
        message: `The compose file docker-compose.yml is missing from ${compose}.`,
      }),
    );
  });
});
