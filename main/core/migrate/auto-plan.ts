/**
 * An automatic plan for any SQLite file (main/core/migrate/README.md#plan), in the spirit of
 * pgloader: each table becomes a new PostgreSQL table with a sanitized name,
 * each column a typed column chosen from its declared type AND the values
 * actually found in it. A choice that is not obvious (mixed storage classes,
 * a declared type the values contradict) carries a note that ends up in the
 * report.
 *
 * Names are deterministic: the same file always gives the same plan.
 */
import type { CastKind } from './casts/index.js';
import { observedTypes, type ColumnInfo, type InspectReport, type TableInfo } from './inspect.js';
import { parsePlan, type Plan, type PlanInput, type TableMapping } from './plan-schema.js';

type TableMappingInput = PlanInput['tables'][number];

/** Lower-case snake_case, ASCII, ≤ 63 bytes, not starting with a digit; '' becomes `fallback`. */
export function sanitizeIdentifier(name: string, fallback: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '') s = fallback;
  if (/^[0-9]/.test(s)) s = `${fallback}_${s}`;
  return s.slice(0, 63).replace(/_+$/, '');
}

/** `base`, or `base_2`, `base_3`… — the first not in `used` (which is updated). Deterministic for a fixed call order. */
export function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let n = 2; used.has(name); n++) {
    const suffix = `_${n}`;
    name = base.slice(0, 63 - suffix.length) + suffix;
  }
  used.add(name);
  return name;
}

export interface AutoPlanOptions {
  name?: string;
  /** Target table names already taken (e.g. by a built-in plan), never generated. */
  reservedTables?: Iterable<string>;
}

/** A complete, validated plan for every ordinary table in `report`. */
export function autoPlan(report: InspectReport, options: AutoPlanOptions = {}): Plan {
  const names = assignNames(report.tables, new Set(options.reservedTables ?? []));
  const tables: TableMappingInput[] = report.tables.map((t) =>
    t.kind === 'table'
      ? autoTableMapping(t, names)
      : {
          source: t.name,
          target: {
            kind: 'skip',
            reason: `${t.kind} table: its content belongs to a virtual table (e.g. a full-text index); rebuild that on the target`,
          },
        },
  );
  return parsePlan(
    {
      version: 1,
      name: options.name ?? 'automatic',
      unknownTables: 'error',
      unknownColumns: 'error',
      tables,
    },
    'The automatic plan',
  );
}

/** Target names chosen for source tables and their columns, plus what foreign keys need to know. */
export interface AutoNames {
  tables: ReadonlyMap<string, string>;
  columns: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Source primary-key columns per source table (for foreign keys that name no parent columns). */
  primaryKeys: ReadonlyMap<string, readonly string[]>;
}

/**
 * Sanitized, collision-free names for the ordinary tables in `tables`,
 * assigned in table-name order (columns in column order) so the same file
 * always gets the same names. `used` holds table names already taken.
 */
export function assignNames(tables: readonly TableInfo[], used: Set<string>): AutoNames {
  const tableNames = new Map<string, string>();
  const columns = new Map<string, Map<string, string>>();
  const primaryKeys = new Map<string, string[]>();
  const ordinary = tables
    .filter((x) => x.kind === 'table')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of ordinary) {
    tableNames.set(t.name, uniqueName(sanitizeIdentifier(t.name, 'table'), used));
    // legacy_extra stays free: it is where unknown columns go under 'jsonb-extra'.
    const usedColumns = new Set<string>(['legacy_extra']);
    columns.set(
      t.name,
      new Map(
        t.columns.map((c) => [
          c.name,
          uniqueName(sanitizeIdentifier(c.name, 'column'), usedColumns),
        ]),
      ),
    );
    primaryKeys.set(
      t.name,
      t.columns
        .filter((c) => c.pkPosition > 0)
        .sort((a, b) => a.pkPosition - b.pkPosition)
        .map((c) => c.name),
    );
  }
  return { tables: tableNames, columns, primaryKeys };
}

/**
 * The mapping of one table onto a new PostgreSQL table, named by `names`.
 * Foreign keys to tables outside `names` are dropped with a note.
 */
export function autoTableMapping(table: TableInfo, names: AutoNames): TableMappingInput {
  const own =
    names.columns.get(table.name) ?? assignNames([table], new Set()).columns.get(table.name)!;
  const isGenerated = new Set(table.columns.filter((c) => c.generated).map((c) => c.name));
  const notes: string[] = [];

  const columns = table.columns
    .filter((c) => !c.generated)
    .map((c) => {
      const { type, note } = chooseType(c);
      // Primary-key columns are NOT NULL on PostgreSQL; SQLite allowed NULL in non-INTEGER keys.
      const nullable = !c.notNull && c.pkPosition === 0;
      return {
        source: c.name,
        target: own.get(c.name)!,
        type,
        nullable,
        // Nothing is lost by choice in an automatic plan: unparseable timestamps become NULL with
        // their original recorded, and invalid JSON is kept as a JSON string.
        ...(type === 'jsonb' ? { onInvalid: 'keep-text' as const } : {}),
        ...((type === 'timestamptz' || type === 'date') && nullable
          ? { onInvalid: 'null' as const }
          : {}),
        ...(note ? { note } : {}),
      };
    });
  if (isGenerated.size > 0)
    notes.push(
      `generated column(s) ${[...isGenerated].join(', ')} not copied: their values are computed`,
    );

  const mapped = (
    tableColumns: ReadonlyMap<string, string> | undefined,
    list: readonly (string | null)[],
  ): string[] | null =>
    tableColumns && list.every((n) => n !== null && tableColumns.has(n) && !isGenerated.has(n))
      ? list.map((n) => tableColumns.get(n!)!)
      : null;

  const uniqueKeys: { columns: string[] }[] = [];
  const indexes: { columns: string[] }[] = [];
  for (const ix of table.indexes) {
    if (ix.origin === 'pk') continue;
    const cols = mapped(own, ix.columns);
    if (!cols || ix.partial) {
      notes.push(
        `index ${ix.name} not recreated: it is ${ix.partial ? 'partial' : 'on an expression'}`,
      );
      continue;
    }
    (ix.unique ? uniqueKeys : indexes).push({ columns: cols });
  }

  const foreignKeys = table.foreignKeys.flatMap((fk) => {
    const parent = names.tables.get(fk.table);
    const cols = mapped(own, fk.columns);
    const parentColumns = fk.references.every((r) => r === null)
      ? (names.primaryKeys.get(fk.table) ?? [])
      : fk.references;
    const refs =
      parent && parentColumns.length === fk.columns.length
        ? mapped(names.columns.get(fk.table), parentColumns)
        : null;
    if (!parent || !cols || !refs) {
      notes.push(
        `foreign key (${fk.columns.join(', ')}) → ${fk.table} not recreated: ${parent ? 'its columns do not match the parent table' : 'the parent table is not migrated'}`,
      );
      return [];
    }
    return [
      { columns: cols, references: { table: parent, columns: refs }, onOrphan: 'reject' as const },
    ];
  });

  const pk = names.primaryKeys.get(table.name) ?? [];
  return {
    source: table.name,
    unknownColumns: 'error',
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    target: {
      kind: 'postgres',
      table: names.tables.get(table.name) ?? sanitizeIdentifier(table.name, 'table'),
      columns,
      primaryKey: mapped(own, pk) ?? [],
      uniqueKeys,
      foreignKeys,
      indexes,
      create: true,
    },
  };
}

/**
 * The target type of a column. The declared type decides when the values
 * agree with it; when they do not, the values win (nothing is rejected for
 * being the "wrong" storage class) and a note says so.
 */
export function chooseType(c: ColumnInfo): { type: CastKind; note?: string } {
  const o = observedTypes(c);
  const present = (['integer', 'real', 'text', 'blob'] as const).filter((k) => o[k] > 0);
  const declared = c.declaredType.toUpperCase();
  const only = (...kinds: string[]): boolean => present.every((k) => kinds.includes(k));
  const mixed = (): { type: CastKind; note: string } => ({
    type: 'text',
    note: `declared ${c.declaredType || 'without a type'} but holds ${present.map((k) => `${o[k]} ${k}`).join(', ')}; mapped to text so no value is rejected`,
  });

  // Booleans only when every value is an integer: text could be any word. (An integer other than 0/1 is rejected and reported.)
  if (/\bBOOL/.test(declared)) return only('integer') ? { type: 'boolean' } : mixed();
  if (/DATETIME|TIMESTAMP/.test(declared))
    return only('text', 'integer', 'real') ? { type: 'timestamptz' } : mixed();
  if (/^DATE$/.test(declared)) return only('text', 'integer', 'real') ? { type: 'date' } : mixed();
  if (/JSON/.test(declared)) return only('text') ? { type: 'jsonb' } : mixed();

  switch (c.affinity) {
    case 'INTEGER':
      if (only('integer')) return { type: 'bigint' };
      if (only('integer', 'real'))
        return {
          type: 'real',
          note: `declared ${c.declaredType} but holds ${o.real} non-integral value(s); mapped to double precision`,
        };
      return mixed();
    case 'REAL':
      return only('integer', 'real') ? { type: 'real' } : mixed();
    case 'NUMERIC':
      if (only('integer')) return { type: 'bigint' };
      return only('integer', 'real') ? { type: 'real' } : mixed();
    case 'TEXT':
      return only('text') ? { type: 'text' } : mixed();
    case 'BLOB':
      if (present.length === 0)
        return { type: 'text', note: 'no declared type and no values; mapped to text' };
      if (only('blob')) return { type: 'bytea' };
      if (only('integer')) return { type: 'bigint' };
      if (only('integer', 'real')) return { type: 'real' };
      if (only('text')) return { type: 'text' };
      return mixed();
  }
}

export type { TableMapping };
