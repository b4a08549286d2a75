/**
 * What the legacy API's SQL can name, and where each name lives now. The
 * renames and casts come from the built-in migration plan
 * (main/core/migrate/builtin-nova-plan.ts), so the mapping between legacy and
 * target names is written once; the live catalog of the database adds what
 * the plan cannot know (tables and columns the application created later,
 * unique keys, which columns the product added for itself).
 */
import { novaLegacyPlan } from '../../migrate/builtin-nova-plan.js';
import type { CastKind } from '../../migrate/casts/cast-result.js';
import type { Plan } from '../../migrate/plan-schema.js';

/** How a value of the column must look to legacy code. */
export type ValueKind = 'boolean' | 'timestamp' | 'json' | 'integer' | 'real' | 'text' | 'blob';

/**
 * Timestamp columns whose legacy DDL said `DEFAULT CURRENT_TIMESTAMP` and that
 * the old API left to that default; every other timestamp column was written
 * by the application with `new Date().toISOString()`.
 */
const SQLITE_DEFAULT_TIMESTAMPS: Record<string, readonly string[]> = {
  users: ['created_at'],
  assets: ['uploaded_at'],
  kiosk_activations: ['created_at'],
  sso_configurations: ['updated_at'],
  admin_pins: ['updated_at'],
};

/** Columns the product added to legacy tables for itself; legacy SQL never sees them. */
const PRODUCT_ONLY_COLUMNS = new Set(['updated_at']);

export interface CatalogColumn {
  /** The column's name in the database, exact case. */
  name: string;
  /** Lower-case type name as the database reports it (`boolean`, `timestamp with time zone`, `text`…). */
  dataType: string;
  notNull: boolean;
  /** Default expression as the database reports it, or null. */
  defaultSql: string | null;
}

export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  /** Column names of the primary key and of every unique constraint/index. */
  uniqueKeys: string[][];
  primaryKey: string[];
}

/** The tables of the live database, keyed by lower-case name. */
export type LiveCatalog = Map<string, CatalogTable>;

export interface ViewColumn {
  /** The name legacy SQL uses (canonical case, e.g. `passwordHash`). */
  legacy: string;
  /** The column in the database. */
  target: string;
  kind: ValueKind;
  /** The type PRAGMA table_info reports to legacy code. */
  declaredType: string;
  notNull: boolean;
  defaultSql: string | null;
}

export interface ViewTable {
  legacy: string;
  target: string;
  /** Columns legacy SQL can see, in order. */
  columns: ViewColumn[];
  byLegacy: Map<string, ViewColumn>;
  byTarget: Map<string, ViewColumn>;
  /** Lower-case target names that exist in the database but not for legacy code. */
  hidden: Set<string>;
  /** Target column names. */
  primaryKey: string[];
  uniqueKeys: string[][];
  /** The integer key that is SQLite's rowid alias, reported as `lastID` (target name). */
  rowidKey: string | null;
  /** The legacy table had no key; the target merged exact duplicates (a plain INSERT of an existing pair succeeds). */
  keyless: boolean;
  /** Columns the legacy schema filled with CURRENT_TIMESTAMP when an INSERT left them out. */
  nowDefaults: ViewColumn[];
  /** True when the plan maps this table (its names may differ from the database's). */
  planned: boolean;
}

export interface LegacyView {
  tables: Map<string, ViewTable>;
  byTarget: Map<string, ViewTable>;
}

type PgTable = Extract<Plan['tables'][number]['target'], { kind: 'postgres' }>;

interface PlannedTable {
  source: string;
  target: PgTable;
}

function plannedTables(plan: Plan): PlannedTable[] {
  const out: PlannedTable[] = [];
  for (const t of plan.tables) {
    if (t.target.kind === 'postgres') out.push({ source: t.source, target: t.target });
  }
  return out;
}

/**
 * How legacy code sees a value of each cast kind. A record over every kind,
 * so a new cast kind does not compile until it says how the legacy db shows
 * it (docs/ARCHITECTURE.md#add-a-cast).
 */
export const LEGACY_VALUE_KIND = {
  text: 'text',
  integer: 'integer',
  bigint: 'integer',
  real: 'real',
  boolean: 'boolean',
  timestamptz: 'timestamp',
  date: 'timestamp',
  jsonb: 'json',
  bytea: 'blob',
} as const satisfies Record<CastKind, ValueKind>;

function kindOfCast(type: CastKind): ValueKind {
  return LEGACY_VALUE_KIND[type];
}

/** The value kind of a column the plan does not describe, from its database type. */
export function kindOfDataType(dataType: string): ValueKind {
  const t = dataType.toLowerCase();
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (t.startsWith('timestamp') || t === 'date') return 'timestamp';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (/int/.test(t)) return 'integer';
  if (/real|double|float|numeric|decimal/.test(t)) return 'real';
  if (t === 'bytea' || t === 'blob') return 'blob';
  return 'text';
}

function declaredTypeOf(kind: ValueKind, dataType: string): string {
  switch (kind) {
    case 'boolean':
    case 'integer':
      return 'INTEGER';
    case 'real':
      return 'REAL';
    case 'blob':
      return 'BLOB';
    case 'text':
    case 'timestamp':
    case 'json':
      return 'TEXT';
    default:
      return dataType.toUpperCase();
  }
}

/**
 * Merges the plan's mapping with the live catalog into what legacy SQL sees.
 * `plan` defaults to the built-in Nova plan; null describes a legacy file
 * itself, where every name is already the legacy one.
 */
export function buildLegacyView(
  catalog: LiveCatalog,
  plan: Plan | null = novaLegacyPlan,
): LegacyView {
  const tables = new Map<string, ViewTable>();
  const byTarget = new Map<string, ViewTable>();
  const planned = new Map(
    (plan ? plannedTables(plan) : []).map((p) => [p.target.table.toLowerCase(), p]),
  );

  for (const [key, live] of catalog) {
    const p = planned.get(key);
    const view = p ? plannedView(p, live) : unplannedView(live);
    tables.set(view.legacy.toLowerCase(), view);
    byTarget.set(view.target.toLowerCase(), view);
  }
  return { tables, byTarget };
}

function plannedView(p: PlannedTable, live: CatalogTable): ViewTable {
  const liveCols = new Map(live.columns.map((c) => [c.name.toLowerCase(), c]));
  const nowDefaults = new Set(SQLITE_DEFAULT_TIMESTAMPS[p.source] ?? []);
  const columns: ViewColumn[] = [];
  const mapped = new Set<string>();
  for (const c of p.target.columns) {
    const lc = liveCols.get(c.target.toLowerCase());
    if (!lc) continue;
    mapped.add(lc.name.toLowerCase());
    const kind = kindOfCast(c.type);
    columns.push({
      legacy: c.source,
      target: lc.name,
      kind,
      declaredType: declaredTypeOf(kind, lc.dataType),
      notNull: lc.notNull,
      defaultSql: lc.defaultSql,
    });
  }
  const hidden = new Set<string>();
  for (const lc of live.columns) {
    const lower = lc.name.toLowerCase();
    if (mapped.has(lower)) continue;
    if (PRODUCT_ONLY_COLUMNS.has(lower) || lower === p.target.extraColumn.toLowerCase()) {
      hidden.add(lower);
      continue;
    }
    // A column the application added after the upgrade (ALTER TABLE … ADD COLUMN).
    columns.push(liveColumn(lc));
  }
  return finishView({
    legacy: p.source,
    target: live.name,
    columns,
    hidden,
    primaryKey: live.primaryKey,
    uniqueKeys: live.uniqueKeys,
    keyless: p.target.dedupe === 'exact-duplicates',
    nowDefaults: columns.filter((c) => nowDefaults.has(c.legacy)),
    planned: true,
  });
}

function liveColumn(lc: CatalogColumn): ViewColumn {
  const kind = kindOfDataType(lc.dataType);
  return {
    legacy: lc.name,
    target: lc.name,
    kind,
    declaredType: declaredTypeOf(kind, lc.dataType),
    notNull: lc.notNull,
    defaultSql: lc.defaultSql,
  };
}

function unplannedView(live: CatalogTable): ViewTable {
  return finishView({
    legacy: live.name,
    target: live.name,
    columns: live.columns.map(liveColumn),
    hidden: new Set(),
    primaryKey: live.primaryKey,
    uniqueKeys: live.uniqueKeys,
    keyless: false,
    nowDefaults: [],
    planned: false,
  });
}

function finishView(v: Omit<ViewTable, 'byLegacy' | 'byTarget' | 'rowidKey'>): ViewTable {
  const byLegacy = new Map(v.columns.map((c) => [c.legacy.toLowerCase(), c]));
  const byTarget = new Map(v.columns.map((c) => [c.target.toLowerCase(), c]));
  const pk = v.primaryKey.length === 1 ? byTarget.get(v.primaryKey[0]!.toLowerCase()) : undefined;
  const rowidKey = pk && pk.kind === 'integer' ? pk.target : null;
  return { ...v, byLegacy, byTarget, rowidKey };
}
