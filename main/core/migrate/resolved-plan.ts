/**
 * The shape of a resolved plan (see resolve-plan.ts): plain data that a job
 * can store and a resumed run can reuse; convert-row.ts and the load phase
 * read it, and the report lists its decisions.
 */
import type { CastKind, Fractional } from './casts/index.js';
import type { MigrationRules } from '../../../shared-contract/methods/migration.js';
import type { OnInvalid } from './plan-schema.js';

export interface ResolvedColumn {
  source: string;
  /** Position of the source column in the rows convertRow receives (ResolvedTable.readColumns). */
  index: number;
  target: string;
  type: CastKind;
  /** PostgreSQL column type, or the BSON type name for Mongo fields. */
  targetType: string;
  nullable: boolean;
  /** The plan's rule, or 'keep-in-extra' from a value rule (rules.ts): NULL here, the original in the extra column. */
  onInvalid: OnInvalid | 'keep-in-extra';
  emptyToNull: boolean;
  /** Converted value written instead of NULL into a non-nullable target; null when there is none. */
  nullReplacement: unknown;
  fractional: Fractional;
  /** Converted values that are valid; null when any is. */
  allowedValues: unknown[] | null;
}

export interface ResolvedExtra {
  /** Target column (jsonb) / field receiving an object of the unknown columns' values. */
  target: string;
  sources: { name: string; index: number }[];
}

export interface ResolvedPostgresTarget {
  kind: 'postgres';
  table: string;
  /** PostgreSQL types aligned with ResolvedTable.outputColumns (used when `create`). */
  columnTypes: string[];
  primaryKey: string[];
  uniqueKeys: { columns: string[]; normalize?: 'lower' | undefined }[];
  foreignKeys: {
    columns: string[];
    references: { table: string; columns: string[] };
    onOrphan: 'reject';
  }[];
  indexes: { columns: string[] }[];
  dedupe: 'none' | 'exact-duplicates';
  onConflict: 'error' | 'update' | 'skip';
  create: boolean;
  /** Columns to add to an existing target table before loading (the jsonb extra column). */
  addColumns: { name: string; type: string }[];
}

export interface ResolvedMongoTarget {
  kind: 'mongo';
  collection: string;
  idField: string | null;
}

export interface ResolvedTable {
  source: string;
  /** 'auto': an unknown table mapped by the automatic planner (unknownTables: 'auto'). */
  origin: 'plan' | 'auto';
  rowCount: number;
  /** How to address the source rowid (keyset paging, report keys); null for WITHOUT ROWID tables. */
  rowidName: string | null;
  /** Source primary-key columns, identifying a row in reports; empty → use the rowid. */
  keyColumns: string[];
  /** Source columns to SELECT, in this order; convertRow expects rows laid out like this. */
  readColumns: string[];
  columns: ResolvedColumn[];
  extra: ResolvedExtra | null;
  /** Target column / field names in the order of convertRow's values (columns, then extra). */
  outputColumns: string[];
  /** SQLite AUTOINCREMENT high-water mark: target sequences must start after it, not just after max(id). */
  autoincrementSeq: number | null;
  target: ResolvedPostgresTarget | ResolvedMongoTarget;
  /** Row rules chosen by the site (rules.ts); absent: every duplicate and orphan is rejected. */
  rules?: TableRowRules;
}

/** What the loader does instead of rejecting a duplicate or an orphan (rules.ts, rules-apply.ts). */
export interface TableRowRules {
  duplicates: {
    /** Target columns of the unique key, as the plan names them. */
    key: string[];
    action: 'keep-first-rename' | 'merge';
    /** keep-first-rename: the text column of the key that receives the suffix. */
    renameColumn: string | null;
  }[];
  orphans: 'drop' | 'reject';
}

export type DecisionKind =
  'left-out' | 'auto-mapped' | 'kept-in-extra' | 'target-default' | 'source-absent' | 'note';

/** One thing the report must say about the plan: what was not migrated as-is, and why. */
export interface PlanDecision {
  table: string;
  column?: string;
  decision: DecisionKind;
  reason: string;
}

export interface ResolvedPlan {
  name: string;
  sourceFile: string;
  /** Tables to load, in load order (parents before children). */
  tables: ResolvedTable[];
  decisions: PlanDecision[];
  /** The rules applied (rules.ts), as given; part of the plan's hash, so a resume uses the same ones. */
  rules?: MigrationRules;
}
