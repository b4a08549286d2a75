/**
 * Orphans and their parents in the source: an orphan whose parent row IS in
 * the legacy file (but was itself rejected, dropped or left out) is a
 * cascade of that parent, not a defect of its own, and the report and the
 * fix-it view say so. The loader's staged rules (rules-apply.ts) and the dry
 * run (which has no staging table) both ask this one lookup.
 */
import type Database from 'better-sqlite3';
import type { ResolvedTable } from './resolved-plan.js';
import { keyText, type ChangeRecord, type RejectRecord } from './run/outcome-records.js';
import { rawToText } from './run/raw-values.js';
import type { SourceTableReader } from './run/source-reader.js';
import { quoteIdent } from './sqlite-ident.js';

/**
 * Is an orphan's parent row in the source? Then the orphan is a cascade of
 * that parent not being migrated (rejected, dropped or left out), and its
 * label (`users:42`) is returned; null when the parent is missing there too.
 * One prepared lookup per foreign key: orphans of a dirty batch can be thousands.
 */
export class ParentLookup {
  private readonly statements = new Map<string, Database.Statement | null>();

  constructor(
    private readonly source: Database.Database,
    private readonly planTables: readonly ResolvedTable[],
  ) {}

  find(
    child: ResolvedTable,
    fk: { columns: readonly string[]; parentTable: string; parentColumns: readonly string[] },
    row: readonly unknown[],
  ): string | null {
    const id = JSON.stringify([child.source, fk.columns, fk.parentTable]);
    let lookup = this.statements.get(id);
    const parent = this.planTables.find(
      (t) => t.target.kind === 'postgres' && t.target.table === fk.parentTable,
    );
    const childCols = fk.columns.map((c) => child.columns.find((x) => x.target === c));
    if (lookup === undefined) {
      const parentCols = fk.parentColumns.map(
        (pc) => parent?.columns.find((c) => c.target === pc)?.source,
      );
      lookup =
        parent &&
        parentCols.every((c) => c !== undefined) &&
        childCols.every((c) => c !== undefined)
          ? this.source.prepare(
              `SELECT 1 FROM ${quoteIdent(parent.source)} WHERE ${parentCols.map((c) => `${quoteIdent(c!)} = ?`).join(' AND ')} LIMIT 1`,
            )
          : null;
      this.statements.set(id, lookup);
    }
    if (!lookup || !parent) return null;
    const values = childCols.map((c) => row[c!.index]);
    if (values.some((v) => v === null || v === undefined)) return null;
    return lookup.get(...values.map(bindable)) === undefined
      ? null
      : `${parent.source}:${values.map((v) => rawToText(v)).join(',')}`;
  }
}

/** better-sqlite3 binds numbers, bigints, strings, buffers and null only. */
function bindable(v: unknown): unknown {
  return typeof v === 'boolean' ? Number(v) : (v ?? null);
}

/**
 * The dry run's orphans (it has no staging table): marks a cascade like the
 * load does, and returns the change record when the table's orphan rule is
 * `drop` (the row is then counted as dropped, not rejected), else null.
 */
export function dryRunOrphan(
  parents: ParentLookup,
  table: ResolvedTable,
  reader: SourceTableReader,
  row: readonly unknown[],
  record: RejectRecord,
  /** The target column the dry run's key check named (the foreign key's first column). */
  column: string,
): ChangeRecord | null {
  const fk =
    table.target.kind === 'postgres'
      ? table.target.foreignKeys.find((f) => f.columns[0] === column)
      : undefined;
  const parent = fk
    ? parents.find(
        table,
        {
          columns: fk.columns,
          parentTable: fk.references.table,
          parentColumns: fk.references.columns,
        },
        row,
      )
    : null;
  if (parent) {
    record.cascade = true;
    record.parent = parent;
    record.message = `its parent ${parent} would not be migrated (rejected or left out), so this row follows it; fix the parent and this row can follow`;
  }
  if (table.rules?.orphans !== 'drop') return null;
  return {
    table: table.source,
    key: keyText(reader, row),
    rowKey: reader.rowKey(row),
    column: record.column,
    code: 'dropped-orphan',
    original: record.original,
    value: record.value,
    converted: null,
    reason: `${record.message} (rule: drop)`,
  };
}
