/**
 * The renderer's runtime imports form no cycle: a module is never loaded
 * half-initialised because something it imports imports it back. The shell
 * in particular imports no screen (routes.ts hands them over). Type-only
 * imports are erased at build time and do not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../renderer/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith('.ts') && e.name !== 'vite.config.ts'
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Relative runtime imports of a file, as absolute .ts paths. */
function runtimeImports(file: string, text: string): string[] {
  const found: string[] = [];
  const statement = /^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms;
  for (const m of text.matchAll(statement)) {
    if (m[2]) continue;
    const spec = m[3]!;
    found.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return found;
}

function graph(): Map<string, string[]> {
  return new Map(sources(root).map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of g.get(f) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of g.keys()) if (!state.has(f)) visit(f);
  return found.map((c) => c.map((f) => path.relative(root, f)));
}

describe('renderer imports', () => {
  it('have no runtime cycle', () => {
    expect(cycles(graph())).toEqual([]);
  });

  it('the shell imports no screen', () => {
    const shell = path.join(root, 'app-shell.ts');
    const screens = graph()
      .get(shell)!
      .filter((f) => f.startsWith(path.join(root, 'screens')));
    expect(screens).toEqual([]);
  });

  it('the check sees a cycle and ignores type-only imports', () => {
    const a = path.join(root, 'a.ts');
    const b = path.join(root, 'b.ts');
    expect(
      runtimeImports(a, "import { x } from './b.js';\nimport type { Y } from './c.js';"),
    ).toEqual([b]);
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
