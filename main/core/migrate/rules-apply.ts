/**
 * The row rules (rules.ts) where the loader classifies a batch row by row
 * (run/pg-stage.ts): after the staging table has sorted the batch, rows a
 * rule can keep are fixed and staged once more —
 *
 *   keep-first-rename  a row that lost a unique key to an earlier row gets a
 *                      recorded suffix on the key's text column
 *                      (bob@x.com → bob+dup-42@x.com) and goes in;
 *   merge (children)   a row whose parent was merged into another row points
 *                      at that row instead (recorded);
 *
 * and rows that stay out are counted by their rule —
 *
 *   merge              the row that lost its key is merged into the first
 *                      (counted as a duplicate, recorded as a change);
 *   drop (orphans)     the orphan is left out as a recorded change, not a
 *                      reject;
 *
 * every other row is rejected as before, and an orphan whose parent row IS in
 * the source (so it was itself rejected, dropped or left out) is marked as a
 * cascade with its parent, so the report can tell the two apart.
 *
 * The fixes happen to the converted values before the COPY line is encoded,
 * so the line hashed for verification is the line the target holds.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { NovaError } from '../errors.js';
import { convertRow } from './convert-row.js';
import type { ResolvedTable, TableRowRules } from './resolved-plan.js';
import { ParentLookup } from './orphan-parents.js';
import type { OutcomeRecord } from './run/job-types.js';
import {
  convertedToJson,
  keyText,
  type ChangeRecord,
  type RejectRecord,
} from './run/outcome-records.js';
import { rawToJson, rawToText } from './run/raw-values.js';
import { stageBatch, type StageStatus } from './run/pg-stage.js';
import type { PreparedPgTable } from './run/pg-target.js';
import type { LineEncoder } from './run/pg-text.js';
import type { SourceTableReader } from './run/source-reader.js';

/** Change kinds the row rules record (besides the value rules' rounded/truncated/kept-in-extra). */
export type RowRuleChange =
  'renamed-duplicate' | 'merged-duplicate' | 'remapped-to-merged' | 'dropped-orphan';

export interface RuleContext {
  client: pg.ClientBase;
  /** The snapshot (to tell a missing parent from a rejected one). */
  source: Database.Database;
  jobId: string;
  /** Every table of the plan (parents of the table being loaded). */
  planTables?: readonly ResolvedTable[] | undefined;
}

/** What to count for a row the batch did not migrate, and the record to keep. */
export interface RuleOutcome {
  count: 'rejected' | 'duplicates';
  /** 1 when the rule's application is recorded as a change. */
  changed: 0 | 1;
  outcome: OutcomeRecord;
}

/** A merged row: its primary key (target columns) and the key of the row it went into. */
interface MergeRecord {
  targetTable: string;
  mergedFrom: Record<string, unknown>;
  mergedInto: Record<string, unknown>;
}

export class StagedRules {
  private readonly rules: TableRowRules | undefined;
  private readonly col: Map<string, number>;
  /** Rows re-staged after their parent key was moved to a merged row. */
  private readonly remapped = new Set<number>();
  private merges: Map<string, Map<string, Record<string, unknown>>> | null = null;
  private readonly parents: ParentLookup;

  constructor(
    private readonly ctx: RuleContext,
    private readonly prep: PreparedPgTable,
    private readonly reader: SourceTableReader,
    private readonly encode: LineEncoder,
  ) {
    this.rules = prep.table.rules;
    this.parents = new ParentLookup(ctx.source, ctx.planTables ?? []);
    this.col = new Map(prep.columns.map((c, i) => [c, i]));
  }

  /**
   * Stages the batch, then stages once more the rows a rule fixes; `lines`
   * and `changes` are updated in place for the rows fixed.
   */
  async stage(
    lines: string[],
    rows: readonly unknown[][],
    changes: ChangeRecord[][],
    preexisting: readonly string[],
  ): Promise<StageStatus[]> {
    // Indexes are per staged slice: `outcome` must be asked about this slice's rows only.
    this.remapped.clear();
    const statuses = await stageBatch(this.ctx.client, this.prep, lines, preexisting);
    if (!this.rules && !this.mayHaveMergedParents()) return statuses;
    const fixed: { i: number; line: string; change: ChangeRecord }[] = [];
    for (let i = 0; i < statuses.length; i++) {
      const st = statuses[i]!;
      const fix =
        st.status === 'duplicate' || st.status === 'conflict'
          ? this.rename(rows[i]!, st)
          : st.status === 'orphan'
            ? await this.repoint(rows[i]!, st.check)
            : null;
      if (fix) fixed.push({ i, ...fix });
    }
    if (fixed.length === 0) return statuses;
    const again = await stageBatch(
      this.ctx.client,
      this.prep,
      fixed.map((f) => f.line),
      preexisting,
    );
    fixed.forEach((f, k) => {
      const st = again[k]!;
      statuses[f.i] = st;
      if (f.change.code === 'remapped-to-merged') this.remapped.add(f.i);
      if (st.status === 'migrated' || st.status === 'claimed') {
        lines[f.i] = f.line;
        changes[f.i]!.push(f.change);
      }
    });
    return statuses;
  }

  /** How to count and record a row that was not migrated (after `stage`). */
  outcome(row: unknown[], st: StageStatus, i: number, reject: () => RejectRecord): RuleOutcome {
    const rowKey = this.reader.rowKey(row);
    const change = (
      code: RowRuleChange,
      column: string,
      from: unknown,
      to: unknown,
      reason: string,
      extra: object = {},
    ): OutcomeRecord => ({
      key: rowKey,
      kind: 'changed',
      seq: 0,
      record: {
        ...this.changeRecord(row, code, column, from, to, reason),
        ...extra,
      },
    });
    if (st.status === 'duplicate' || st.status === 'conflict') {
      const rule = this.duplicateRule(st.uniqueKey);
      if (rule?.action === 'merge' || (this.remapped.has(i) && st.status === 'duplicate')) {
        const mergedFrom = this.primaryKeyOf(row);
        const mergedInto = parseObject(st.other);
        const column = this.sourceColumn(this.prep.uniqueKeys[st.uniqueKey]?.columns[0] ?? '');
        return {
          count: 'duplicates',
          changed: 1,
          outcome: change(
            'merged-duplicate',
            column,
            JSON.stringify(mergedFrom),
            JSON.stringify(mergedInto),
            `same ${this.keyLabel(st.uniqueKey)} as the row ${st.other} in ${this.prep.name}: merged into it (rule: merge)`,
            { targetTable: this.prep.name, mergedFrom, mergedInto },
          ),
        };
      }
    }
    if (st.status === 'orphan') {
      const record = this.markCascade(reject(), row, st);
      const parent = record.parent;
      if (this.rules?.orphans === 'drop') {
        return {
          count: 'rejected',
          changed: 1,
          outcome: change(
            'dropped-orphan',
            record.column,
            record.original,
            null,
            `${record.message} (rule: drop)`,
            { row: record.row, ...(parent ? { parent } : {}) },
          ),
        };
      }
      return { count: 'rejected', changed: 0, outcome: rejectOutcome(record) };
    }
    return { count: 'rejected', changed: 0, outcome: rejectOutcome(reject()) };
  }

  /** An orphan whose parent row is in the source is a cascade: says so, and names the parent. */
  markCascade(record: RejectRecord, row: readonly unknown[], st: StageStatus): RejectRecord {
    if (st.status !== 'orphan') return record;
    const parent = this.rejectedParent(row, st.check);
    if (parent) {
      record.cascade = true;
      record.parent = parent;
      record.message = `its parent ${parent} was not migrated (rejected or left out), so this row follows it; fix the parent and this row can follow`;
    }
    return record;
  }

  private duplicateRule(uniqueKey: number): TableRowRules['duplicates'][number] | undefined {
    const key = this.prep.uniqueKeys[uniqueKey];
    if (!key || !this.rules) return undefined;
    return this.rules.duplicates.find(
      (d) => d.key.length === key.columns.length && d.key.every((c) => key.columns.includes(c)),
    );
  }

  /** keep-first-rename: the row again, with a suffix on the key's text column. */
  private rename(
    row: unknown[],
    st: Extract<StageStatus, { status: 'duplicate' | 'conflict' }>,
  ): { line: string; change: ChangeRecord } | null {
    if (st.status === 'duplicate' && this.prep.target.dedupe === 'exact-duplicates') return null;
    const rule = this.duplicateRule(st.uniqueKey);
    if (rule?.action !== 'keep-first-rename' || !rule.renameColumn) return null;
    const converted = convertRow(this.prep.table, row);
    const at = this.col.get(rule.renameColumn);
    if (!converted.ok || at === undefined) return null;
    const before = converted.values[at];
    if (typeof before !== 'string') return null;
    const after = withSuffix(before, this.suffixOf(row));
    const values = [...converted.values];
    values[at] = after;
    return {
      line: this.encode(values),
      change: this.changeRecord(
        row,
        'renamed-duplicate',
        this.sourceColumn(rule.renameColumn),
        before,
        after,
        `same ${this.keyLabel(st.uniqueKey)} as the row ${st.other} in ${this.prep.name}: kept with ${rule.renameColumn} renamed (rule: keep-first-rename)`,
      ),
    };
  }

  /** A child of a merged row: the row again, pointing at the row its parent was merged into. */
  private async repoint(
    row: unknown[],
    check: number,
  ): Promise<{ line: string; change: ChangeRecord } | null> {
    const fk = this.prep.orphanChecks[check];
    if (!fk) return null;
    const merges = await this.loadMerges();
    const byKey = merges.get(bareName(fk.parentSql));
    if (!byKey) return null;
    const converted = convertRow(this.prep.table, row);
    if (!converted.ok) return null;
    const at = fk.columns.map((c) => this.col.get(c));
    if (at.some((x) => x === undefined)) return null;
    const into = byKey.get(
      keyOf(
        fk.parentColumns,
        at.map((x) => converted.values[x!]),
      ),
    );
    if (!into) return null;
    const values = [...converted.values];
    const before = at.map((x) => values[x!]);
    fk.parentColumns.forEach((pc, k) => (values[at[k]!] = into[pc]));
    return {
      line: this.encode(values),
      change: this.changeRecord(
        row,
        'remapped-to-merged',
        this.sourceColumn(fk.columns[0]!),
        before.map(String).join(', '),
        fk.parentColumns.map((pc) => String(into[pc])).join(', '),
        `its parent in ${fk.parentSql} was merged into another row (rule: merge); it now points at that row`,
      ),
    };
  }

  private mayHaveMergedParents(): boolean {
    return (
      this.prep.orphanChecks.length > 0 &&
      (this.ctx.planTables ?? []).some((t) => t.rules?.duplicates.some((d) => d.action === 'merge'))
    );
  }

  /** The job's merged rows, by target table and primary key (read once per batch that needs them). */
  private async loadMerges(): Promise<Map<string, Map<string, Record<string, unknown>>>> {
    if (this.merges) return this.merges;
    const merges = new Map<string, Map<string, Record<string, unknown>>>();
    if (this.mayHaveMergedParents()) {
      const { rows } = await this.ctx.client.query<{ record: string }>(
        `SELECT record FROM nova_migration_outcomes
          WHERE job_id = $1 AND kind = 'changed' AND record LIKE '%"code":"merged-duplicate"%'`,
        [this.ctx.jobId],
      );
      for (const { record } of rows) {
        const m = JSON.parse(record) as Partial<MergeRecord>;
        if (!m.targetTable || !m.mergedFrom || !m.mergedInto) continue;
        const byKey = merges.get(m.targetTable) ?? new Map<string, Record<string, unknown>>();
        const cols = Object.keys(m.mergedFrom);
        byKey.set(
          keyOf(
            cols,
            cols.map((c) => m.mergedFrom![c]),
          ),
          m.mergedInto,
        );
        merges.set(m.targetTable, byKey);
      }
    }
    this.merges = merges;
    return merges;
  }

  /**
   * `users:42` when the orphan's parent row is in the source (so it was not
   * migrated: rejected, dropped or left out); null when it is missing there too.
   */
  private rejectedParent(row: readonly unknown[], check: number): string | null {
    const fk = this.prep.orphanChecks[check];
    if (!fk) return null;
    return this.parents.find(
      this.prep.table,
      {
        columns: fk.columns,
        parentTable: bareName(fk.parentSql),
        parentColumns: fk.parentColumns,
      },
      row,
    );
  }

  private changeRecord(
    row: readonly unknown[],
    code: RowRuleChange,
    column: string,
    from: unknown,
    to: unknown,
    reason: string,
  ): ChangeRecord {
    return {
      table: this.prep.table.source,
      key: keyText(this.reader, row),
      rowKey: this.reader.rowKey(row),
      column,
      code,
      original: typeof from === 'string' ? from : rawToText(from),
      value: rawToJson(from),
      converted: convertedToJson(to),
      reason,
    };
  }

  private primaryKeyOf(row: unknown[]): Record<string, unknown> {
    const converted = convertRow(this.prep.table, row);
    const out: Record<string, unknown> = {};
    if (!converted.ok) return out;
    for (const c of this.prep.primaryKey) {
      const at = this.col.get(c);
      if (at !== undefined) out[c] = convertedToJson(converted.values[at]);
    }
    return out;
  }

  private suffixOf(row: readonly unknown[]): string {
    const key = Object.values(this.reader.keyObject(row))
      .map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))
      .join('-');
    return `dup-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  private sourceColumn(target: string): string {
    return this.prep.table.columns.find((c) => c.target === target)?.source ?? target;
  }

  private keyLabel(uniqueKey: number): string {
    const key = this.prep.uniqueKeys[uniqueKey];
    return key ? `${key.lower ? 'case-insensitive ' : ''}(${key.columns.join(', ')})` : 'key';
  }
}

function rejectOutcome(record: RejectRecord): OutcomeRecord {
  return { key: record.rowKey, kind: 'rejected', seq: 0, record: { ...record } };
}

/** bob@x.com → bob+dup-42@x.com (still an address, still unique); other text → text-dup-42. */
export function withSuffix(value: string, suffix: string): string {
  const at = value.lastIndexOf('@');
  if (at > 0 && at < value.length - 1) return `${value.slice(0, at)}+${suffix}${value.slice(at)}`;
  return `${value}-${suffix}`;
}

/** `users` from a regclass text (`users`, `"Users"`, `app.users`). */
function bareName(regclass: string): string {
  const last = regclass.split('.').pop() ?? regclass;
  return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last;
}

function keyOf(columns: readonly string[], values: readonly unknown[]): string {
  return JSON.stringify(columns.map((c, i) => [c, String(values[i])]));
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Change records of a row that apply-rejects let in (a value rounded by a
 * rule, a renamed key), kept like the load keeps them and counted in `changed`.
 */
export async function recordChanges(
  client: pg.ClientBase,
  jobId: string,
  source: string,
  changes: readonly ChangeRecord[],
): Promise<void> {
  if (changes.length === 0) return;
  for (const [seq, c] of changes.entries()) {
    await client.query(
      `INSERT INTO nova_migration_outcomes (job_id, source_table, row_key, kind, seq, record)
       VALUES ($1, $2, $3, 'changed', $4, $5) ON CONFLICT DO NOTHING`,
      [jobId, source, c.rowKey, seq, JSON.stringify(c)],
    );
  }
  await client.query(
    `UPDATE nova_migration_progress SET changed = changed + $3 WHERE job_id = $1 AND source_table = $2`,
    [jobId, source, changes.length],
  );
}

/**
 * Rules given to apply-rejects may change how values convert, not which
 * columns a table has: the rows already migrated were checksummed with the
 * job's columns (a keep-in-extra rule that needs a new extra column must be
 * given to the migration itself).
 */
export function sameShape(
  job: { resolved: { tables: readonly ResolvedTable[] } },
  withRules: { resolved: { tables: readonly ResolvedTable[] } },
): void {
  for (const t of withRules.resolved.tables) {
    const before = job.resolved.tables.find((x) => x.source === t.source);
    if (before && before.outputColumns.join('\u0000') !== t.outputColumns.join('\u0000')) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The rules add the column ${t.extra?.target ?? 'legacy_extra'} to ${t.source}, which the migration did not load; rows already migrated were verified without it.`,
        {
          fix: `Use round, truncate or reject for ${t.source} here, or run the migration again (fresh target) with the keep-in-extra rule.`,
        },
      );
    }
  }
}
