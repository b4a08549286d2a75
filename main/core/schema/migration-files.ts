/**
 * Finding and fingerprinting the versioned SQL files of one dialect
 * (`sql/<dialect>/NNNN_name.sql`). Pure file work; the runner decides what
 * to do with them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetLocation } from '../asset-locations.js';
import { NovaError } from '../errors.js';
import type { SqlDialect } from '../sql-types.js';

/** One migration file on disk. */
export interface MigrationFile {
  /** The NNNN prefix as a number; files apply in ascending version order. */
  version: number;
  /** The part after the prefix, e.g. `nova_schema`. */
  name: string;
  /** The file name, e.g. `0001_nova_schema.sql`. */
  file: string;
  path: string;
  /** sha256 (hex) of the normalised contents; see `migrationChecksum`. */
  checksum: string;
  /** Checksums of earlier texts of this file that differ from it in comments only (REWORDED). */
  earlierChecksums: readonly string[];
  sql: string;
}

/**
 * Applied files whose comments were reworded after release, with the
 * checksum of each earlier text: a database that recorded one of them holds
 * exactly the schema the current text makes, so it is not "modified". Only
 * ever add a checksum here for a change that touches comments alone.
 */
const REWORDED: Readonly<Record<string, readonly string[]>> = {
  // Its two comments cited a design document that is not in this repository; they now cite docs/schema.md.
  'postgres/0001_nova_schema.sql': [
    'e3aa75e144de1a96f6e5b04d7a4633f6042355ea048a97b21a4493dd18e5c11d',
  ],
};

/** Whether a checksum recorded in a database stands for this file's current text. */
export function matchesRecorded(file: MigrationFile, recorded: string): boolean {
  return recorded === file.checksum || file.earlierChecksums.includes(recorded);
}

/** `0001_nova_schema.sql`: at least four digits, an underscore, a name. */
const FILE_NAME = /^(\d{4,})_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/**
 * The SQL directory shipped next to this module. Resolved from
 * import.meta.url so it is `main/core/schema/sql` when running from source
 * and `dist/main/core/schema/sql` (copied by scripts/copy-assets.mjs) when
 * running the build; the single binary registers where it unpacked them
 * (main/core/asset-locations.ts).
 */
export function defaultMigrationsDir(dialect: SqlDialect): string {
  const shipped = assetLocation('sqlDir');
  if (shipped) return join(shipped, dialect) + sep;
  return fileURLToPath(new URL(`./sql/${dialect}/`, import.meta.url));
}

/**
 * sha256 of a migration's text with a leading BOM dropped and CRLF turned
 * into LF: a checkout on Windows (git autocrlf) must not look like an edit
 * of an applied migration, while any change a database would see still does.
 */
export function migrationChecksum(sql: string): string {
  const normalised = sql.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}

/** Parses a file name; undefined for names that are not migrations at all (not `.sql`). */
export function parseMigrationFileName(
  file: string,
): { version: number; name: string } | undefined {
  if (!file.toLowerCase().endsWith('.sql')) return undefined;
  const m = FILE_NAME.exec(file);
  if (!m) {
    throw new NovaError(
      'MIGRATION_FAILED',
      `Migration file "${file}" is not named NNNN_name.sql, so Nova cannot tell when to apply it.`,
      {
        fix: 'Rename it with a four-digit version after the last one, e.g. 0003_add_column.sql (letters, digits, _ and - only).',
      },
    );
  }
  return { version: Number(m[1]), name: m[2]! };
}

/**
 * Every migration in `dir`, sorted by version. Files that do not end in
 * `.sql` are ignored (a README may live there); a `.sql` file with a bad
 * name or a version used twice is refused rather than silently skipped.
 */
export async function loadMigrations(dir: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new NovaError(
      'MIGRATION_FAILED',
      `The migrations directory ${dir} cannot be read (${code}).`,
      {
        fix: 'Reinstall or rebuild Nova (npm run build copies the SQL files into dist), or pass an existing directory.',
        cause: err,
      },
    );
  }
  const byVersion = new Map<number, MigrationFile>();
  for (const file of entries.sort()) {
    const parsed = parseMigrationFileName(file);
    if (!parsed) continue;
    const clash = byVersion.get(parsed.version);
    if (clash) {
      throw new NovaError(
        'MIGRATION_FAILED',
        `Migrations "${clash.file}" and "${file}" in ${dir} share version ${parsed.version}.`,
        {
          fix: 'Give the newer file the next unused version number.',
        },
      );
    }
    const path = join(dir, file);
    const sql = await readFile(path, 'utf8');
    byVersion.set(parsed.version, {
      ...parsed,
      file,
      path,
      sql,
      checksum: migrationChecksum(sql),
      earlierChecksums: REWORDED[`${basename(dir)}/${file}`] ?? [],
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}
