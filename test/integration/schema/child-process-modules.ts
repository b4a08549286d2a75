/**
 * Lets a test run product modules in separate Node processes (two migration
 * runners on one SQLite file must be two processes: better-sqlite3 waits for
 * locks synchronously, so two connections in one thread would just block each
 * other). Transpiles the TypeScript modules an entry point reaches into a
 * temporary tree that mirrors the repository, so relative imports and
 * `import.meta.url`-relative files (the SQL directory) resolve as in dist/.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RELATIVE_IMPORT = /\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g;

export interface TranspiledTree {
  root: string;
  remove(): void;
}

/**
 * Transpiles `entries` (repository-relative .ts paths) and every module they
 * import relatively, copies `assetDirs` (repository-relative) alongside, and
 * links node_modules so packages resolve.
 */
export function transpileForChild(entries: string[], assetDirs: string[] = []): TranspiledTree {
  const root = mkdtempSync(join(tmpdir(), 'nova-child-'));
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(REPO, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(RELATIVE_IMPORT))
      queue.push(resolve(dirname(file), `${m[1]}.ts`));
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const out = join(root, relative(REPO, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  for (const dir of assetDirs) cpSync(join(REPO, dir), join(root, dir), { recursive: true });
  // Node resolves ESM imports from "type": "module" packages; mirror that.
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
