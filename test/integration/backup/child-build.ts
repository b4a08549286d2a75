/**
 * Builds the program's JavaScript for tests that must run the real CLI as a
 * child process (to SIGKILL it), without touching dist/ — another suite may
 * be building or running dist/ at the same moment. Each file is transpiled on
 * its own (no type check: `tsc` covers that), into a private folder under
 * the checkout's .tmp/, so `node_modules` and package.json ("type":
 * "module") resolve exactly as they do for dist/.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

/** The program's source folders: main/ and the contract it shares with the renderer. */
const SOURCE_DIRS = ['main', 'shared-contract'];

/** Transpiles main/ and shared-contract/ into `<repo>/.tmp/<name>/`; returns the folder and a remover. */
export function buildMainForChild(name: string): { outDir: string; remove: () => void } {
  const outDir = path.join(repoRoot, '.tmp', name);
  rmSync(outDir, { recursive: true, force: true });
  for (const file of SOURCE_DIRS.flatMap((dir) => [...tsFiles(path.join(repoRoot, dir))])) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const dest = path.join(outDir, path.relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, outputText);
  }
  return { outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}
