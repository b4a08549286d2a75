/**
 * Tests mirror the source tree (test/README.md, "Where a test lives"): every
 * folder under test/unit and test/integration that holds tests names a source
 * folder, so the next maintainer finds a module's tests by its path.
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

/** The source folder a test folder stands for, or null when there is none. */
function sourceFolder(testFolder: string): string | null {
  const [head, ...rest] = testFolder.split('/');
  const named = NAMED[head!];
  const candidates = named
    ? [path.join(named, ...rest)]
    : [path.join('main/core', testFolder), path.join('main', testFolder)];
  return candidates.find((c) => existsSync(path.join(root, c))) ?? null;
}

describe('test layout', () => {
  for (const kind of ['unit', 'integration'] as const) {
    it(`every test/${kind} folder names a source folder`, () => {
      const orphans = testFolders(kind).filter((f) => sourceFolder(f) === null);
      expect(orphans).toEqual([]);
    });
  }

  it('no test file sits at the top of test/unit or test/integration', () => {
    for (const kind of ['unit', 'integration'])
      expect(
        readdirSync(path.join(root, 'test', kind)).filter(
          (n) => n.endsWith('.test.ts') && n !== 'layout.test.ts',
        ),
      ).toEqual([]);
  });
});
