/**
 * Did the legacy database change while it was being migrated? A migration
 * reads a snapshot (preflight.ts); rows the legacy program writes after it
 * are not in the target, and the report used to say OK regardless.
 *
 * Two steps, cheapest first:
 *  1. a fingerprint of the source files taken before the snapshot and again
 *     at the end — the header's file change counter and page count, the
 *     file's size and mtime, and the -wal file's size, mtime and salts
 *     (a WAL database changes only its -wal until a checkpoint). Reading
 *     them opens nothing, so it never disturbs the legacy program;
 *  2. only when the fingerprint moved: the live file is opened read-only and
 *     compared with the snapshot table by table, by key (the table's
 *     primary key, else its rowid): rows that are new, rows whose values
 *     differ, rows that are gone.
 *
 * What it cannot see: a change made and undone between the two looks (the
 * counts compare states, not histories), and changes in tables the plan
 * leaves out. See docs/migration-cutover.md.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { quoteIdent } from '../sqlite-ident.js';
import type { ResolvedTable } from '../resolved-plan.js';

export interface SourceFingerprint {
  changeCounter: number;
  pageCount: number;
  size: number;
  mtimeMs: number;
  wal: { size: number; mtimeMs: number; salt: string } | null;
}

function readBytes(file: string, length: number): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, 0);
    return buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function fingerprintSource(file: string): SourceFingerprint | null {
  const header = readBytes(file, 100);
  if (!header || header.length < 32) return null;
  const main = statSync(file, { throwIfNoEntry: false });
  if (!main) return null;
  const walFile = `${file}-wal`;
  const walStat = statSync(walFile, { throwIfNoEntry: false });
  const walHeader = walStat ? readBytes(walFile, 32) : null;
  return {
    changeCounter: header.readUInt32BE(24),
    pageCount: header.readUInt32BE(28),
    size: main.size,
    mtimeMs: main.mtimeMs,
    wal: walStat
      ? {
          size: walStat.size,
          mtimeMs: walStat.mtimeMs,
          salt:
            walHeader && walHeader.length >= 24 ? walHeader.subarray(16, 24).toString('hex') : '',
        }
      : null,
  };
}

export function sameFingerprint(a: SourceFingerprint, b: SourceFingerprint): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface TableDrift {
  table: string;
  /** Keys in the live file that the snapshot does not have: not migrated, a catch-up adds them. */
  added: number;
  /** Same key, other values: the target holds the old values. */
  changed: number;
  /** Keys the snapshot had and the live file does not: still in the target. */
  removed: number;
}

function keyOf(table: ResolvedTable): string[] | null {
  if (table.keyColumns.length > 0) return table.keyColumns;
  return table.rowidName ? [table.rowidName] : null;
}

/** Compares the live source with the snapshot, table by table, by key. */
export function compareWithSnapshot(
  sourceFile: string,
  snapshotFile: string,
  tables: readonly ResolvedTable[],
  busyMs = 5_000,
): TableDrift[] {
  const db = new Database(sourceFile, { readonly: true, fileMustExist: true, timeout: busyMs });
  try {
    db.prepare('ATTACH DATABASE ? AS snap').run(snapshotFile);
    const drift: TableDrift[] = [];
    for (const table of tables) {
      const key = keyOf(table);
      if (!key) continue;
      const t = quoteIdent(table.source);
      const on = key.map((k) => `o.${quoteIdent(k)} IS n.${quoteIdent(k)}`).join(' AND ');
      const count = (sql: string): number => Number(db.prepare(sql).pluck().get());
      const exists = db
        .prepare("SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ?")
        .pluck()
        .get(table.source);
      if (Number(exists) === 0) continue;
      const cols = (alias: string) =>
        `(${table.readColumns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})`;
      const added = count(
        `SELECT count(*) FROM main.${t} n WHERE NOT EXISTS (SELECT 1 FROM snap.${t} o WHERE ${on})`,
      );
      const removed = count(
        `SELECT count(*) FROM snap.${t} n WHERE NOT EXISTS (SELECT 1 FROM main.${t} o WHERE ${on})`,
      );
      const changed =
        table.readColumns.length === 0
          ? 0
          : count(
              `SELECT count(*) FROM main.${t} n JOIN snap.${t} o ON ${on} WHERE ${
                table.readColumns.length === 1
                  ? `n.${quoteIdent(table.readColumns[0]!)} IS NOT o.${quoteIdent(table.readColumns[0]!)}`
                  : `${cols('n')} IS NOT ${cols('o')}`
              }`,
            );
      if (added + removed + changed > 0)
        drift.push({ table: table.source, added, changed, removed });
    }
    return drift;
  } finally {
    db.close();
  }
}

/** The report's warning for a source that changed during the run; null when nothing differs. */
export function sourceChangeWarning(
  sourceFile: string,
  snapshotFile: string,
  before: SourceFingerprint | null | undefined,
  tables: readonly ResolvedTable[],
): string | null {
  if (!before) return null;
  const now = fingerprintSource(sourceFile);
  if (now && sameFingerprint(before, now)) return null;
  let drift: TableDrift[];
  try {
    drift = compareWithSnapshot(sourceFile, snapshotFile, tables);
  } catch {
    return `The legacy database ${sourceFile} was written to while it was being migrated, and it could not be compared with the snapshot to say what changed. Rows written after the snapshot are not in the target: stop the program that writes to it, then run the catch-up step.`;
  }
  if (drift.length === 0) return null;
  const parts = drift.map((d) =>
    [
      d.added ? `${d.added} new` : '',
      d.changed ? `${d.changed} changed` : '',
      d.removed ? `${d.removed} deleted` : '',
    ]
      .filter(Boolean)
      .join(', ')
      .concat(` in ${d.table}`),
  );
  const added = drift.reduce((s, d) => s + d.added, 0);
  const other = drift.reduce((s, d) => s + d.changed + d.removed, 0);
  return (
    `The legacy database changed while it was being migrated: ${parts.join('; ')} row(s) since the snapshot are not in the target. ` +
    `Stop the program that writes to it, then run the catch-up step${added ? ', which adds the new rows' : ''}` +
    `${other ? '; changed and deleted rows are not caught up: migrate again into a fresh database to include them' : ''}.`
  );
}
