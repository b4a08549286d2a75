/**
 * Compiled modules that fail to load the way real ones do, for the SQLite
 * engine checks: a module built for another ABI (registered the classic
 * way with a chosen NODE_MODULE_VERSION, so Node.js itself refuses it with
 * its own message), and a file that is not a shared object at all. Needs a
 * C compiler (`cc`), which the machines that build better-sqlite3 have.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const WRONG_ABI_SOURCE = `
#include <stddef.h>
struct node_module {
  int nm_version; unsigned int nm_flags; void *nm_dso_handle; const char *nm_filename;
  void *nm_register_func; void *nm_context_register_func; const char *nm_modname;
  void *nm_priv; struct node_module *nm_link;
};
extern void node_module_register(void *);
static struct node_module mod = {NOVA_ABI, 0, NULL, __FILE__, NULL, NULL, "better_sqlite3", NULL, NULL};
__attribute__((constructor)) static void init(void) { node_module_register(&mod); }
`;

/** Writes `<dir>/better_sqlite3.node` claiming ABI `abi` (e.g. 139, an Electron's); returns its path. */
export function buildWrongAbiModule(dir: string, abi: number): string {
  const source = path.join(dir, 'wrong-abi.c');
  const file = path.join(dir, 'better_sqlite3.node');
  writeFileSync(source, WRONG_ABI_SOURCE);
  execFileSync('cc', ['-shared', '-fPIC', `-DNOVA_ABI=${abi}`, '-o', file, source]);
  return file;
}

/** Writes `<dir>/better_sqlite3.node` holding text, not a shared object; returns its path. */
export function writeNotAModule(dir: string): string {
  const file = path.join(dir, 'better_sqlite3.node');
  // Longer than an ELF header, so the loader reads it and rejects what it finds.
  writeFileSync(file, 'this is not a compiled module\n'.repeat(8));
  return file;
}
