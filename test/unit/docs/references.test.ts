/**
 * Everything the repository cites is in the repository (docs/ARCHITECTURE.md):
 *
 * - no file refers to the design briefs the product was first written from,
 *   which its users and maintainers do not have (their names are assembled
 *   here from pieces, so this file does not match itself);
 * - every in-repo document a file cites — `docs/*.md`, a folder's
 *   `README.md`, with or without `#heading` anchors (`docs/ARCHITECTURE.md#layers, #tests`) —
 *   exists, and each anchor names one of its headings.
 *
 * Scans every text file of the checkout except dependencies and build output.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'release', '.tmp', 'coverage', 'out']);
const SKIP_FILES = new Set(['package-lock.json', 'test/support/mongo/target']);

function* textFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const full = path.join(dir, name);
    const rel = path.relative(repo, full).split(path.sep).join('/');
    if (SKIP_FILES.has(rel)) continue;
    const st = statSync(full);
    if (st.isDirectory()) yield* textFiles(full);
    else if (st.size < 2_000_000) yield rel;
  }
}

const files = [...textFiles(repo)]
  .map((rel) => ({ rel, bytes: readFileSync(path.join(repo, rel)) }))
  .filter((f) => !f.bytes.includes(0))
  .map((f) => ({ rel: f.rel, text: f.bytes.toString('utf8') }));

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(rel: string): Set<string> {
  const text = readFileSync(path.join(repo, rel), 'utf8');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1]!)));
}

describe('references', () => {
  it('scans the checkout', () => {
    // Guards the scan itself: a walk that found nothing would pass everything below.
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.rel === 'docs/ARCHITECTURE.md')).toBe(true);
  });

  it('never point at the design briefs, which are not in this repository', () => {
    const briefs = ['SP' + 'EC', 'DE' + 'SIGN', 'SCH' + 'EMAS', 'UPGRADE_' + 'DESCRIPTION'];
    const pattern = new RegExp(`\\b(${briefs.join('|')})\\b`, 'g');
    const found: string[] = [];
    for (const { rel, text } of files) {
      const hits = [...text.matchAll(pattern)];
      const lines = text.split('\n');
      for (const m of hits) {
        const line = lineOf(text, m.index);
        found.push(`${rel}:${line}: ${lines[line - 1]!.trim()}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('name in-repo documents and headings that exist', () => {
    const pattern =
      /\b((?:docs\/[\w.-]+\.md)|(?:(?:main|renderer|preload|shared-contract|test|bench|scripts)\/(?:[\w.-]+\/)*README\.md))((?:#[\w-]+)(?:, #[\w-]+)*)?/g;
    const broken: string[] = [];
    let checked = 0;
    const anchorCache = new Map<string, Set<string>>();
    for (const { rel, text } of files) {
      for (const m of text.matchAll(pattern)) {
        const target = m[1]!;
        const anchorList = m[2] ? m[2].split(', ').map((a) => a.slice(1)) : [];
        checked++;
        const where = `${rel}:${lineOf(text, m.index)}`;
        let exists = false;
        try {
          exists = statSync(path.join(repo, target)).isFile();
        } catch {
          exists = false;
        }
        if (!exists) {
          broken.push(`${where}: ${target} does not exist`);
          continue;
        }
        let anchors = anchorCache.get(target);
        if (!anchors) anchorCache.set(target, (anchors = anchorsOf(target)));
        for (const anchor of anchorList) {
          if (!anchors.has(anchor)) broken.push(`${where}: ${target} has no heading #${anchor}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});
