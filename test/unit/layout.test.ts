/**
 * Tests mirror the source tree (test/README.md, "Where a test lives"): every
 * folder under test/unit and test/integration that holds tests names a source
 * folder, and a test named after a module (`x.test.ts` for `x.ts`) sits in
 * that module's folder, so the next maintainer finds a module's tests by its path.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Test folders that map to something other than a `main/` folder of the same path. */
const NAMED: Record<string, string> = {
  core: 'main/core',
  renderer: 'renderer',
  'shared-contract': 'shared-contract',
  packaging: 'scripts',
  lint: 'scripts/lint',
  docs: 'docs',
  conformance: 'test/conformance',
};

function testFolders(kind: 'unit' | 'integration'): string[] {
  const base = path.join(root, 'test', kind);
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (dir !== base && entries.some((e) => e.isFile() && e.name.endsWith('.test.ts')))
      out.push(path.relative(base, dir).split(path.sep).join('/'));
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(base);
  return out;
}

/** The source folders a test folder may stand for. */
function candidateFolders(testFolder: string): string[] {
  const [head, ...rest] = testFolder.split('/');
  const named = NAMED[head!];
  return named
    ? [path.join(named, ...rest)]
    : [path.join('main/core', testFolder), path.join('main', testFolder)];
}

/** The source folder a test folder stands for, or null when there is none. */
function sourceFolder(testFolder: string): string | null {
  return candidateFolders(testFolder).find((c) => existsSync(path.join(root, c))) ?? null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Every source module's folders by its name without extension (`pg-text` → main/core/migrate/run). */
function moduleFolders(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const dir of ['main', 'renderer', 'shared-contract', 'preload', 'scripts']) {
    for (const file of filesUnder(dir)) {
      if (!/\.(ts|mjs)$/.test(file) || file.endsWith('.d.ts')) continue;
      const name = path.basename(file).replace(/\.(ts|mjs)$/, '');
      out.set(name, [...(out.get(name) ?? []), path.dirname(file)]);
    }
  }
  return out;
}

describe('test layout', () => {
  for (const kind of ['unit', 'integration'] as const) {
    it(`every test/${kind} folder names a source folder`, () => {
      const orphans = testFolders(kind).filter((f) => sourceFolder(f) === null);
      expect(orphans).toEqual([]);
    });
  }

  it('a test named after a module sits in the folder that mirrors the module', () => {
    const modules = moduleFolders();
    const misplaced: string[] = [];
    for (const kind of ['unit', 'integration'] as const) {
      const base = path.join('test', kind);
      for (const file of filesUnder(base).filter((f) => f.endsWith('.test.ts'))) {
        const folder = path.relative(base, path.dirname(file)).split(path.sep).join('/');
        const homes = modules.get(path.basename(file, '.test.ts'));
        if (!homes || homes.some((h) => candidateFolders(folder).includes(h))) continue;
        misplaced.push(`${file} (module in ${homes.join(', ')})`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('no test file sits at the top of test/unit or test/integration', () => {
    for (const kind of ['unit', 'integration'])
      expect(
        readdirSync(path.join(root, 'test', kind)).filter(
          (n) => n.endsWith('.test.ts') && n !== 'layout.test.ts',
        ),
      ).toEqual([]);
  });
});
