/**
 * Rejects and changes summarised for people: grouped by table, column and
 * reason (rejects) or kind (changes), with counts, a few example keys and —
 * for rejects — the rules that would keep the group's rows (the one-click
 * fixes of the wizard, the hints of report.txt).
 *
 * The JSONL files are read line by line: memory grows with the number of
 * groups (tables × columns × reasons), never with the number of rows.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type {
  ChangeGroupDto,
  FixAction,
  RejectGroupDto,
} from '../../../shared-contract/methods/migration.js';
import { NovaError } from '../errors.js';
import type { ResolvedTable } from './resolved-plan.js';
import type { MigrationRules } from './rules.js';

export type RejectGroup = RejectGroupDto & { key?: string[] };
export type ChangeGroup = ChangeGroupDto;

export interface OutcomeSummary {
  rejectGroups: RejectGroup[];
  changeGroups: ChangeGroup[];
  /** Per source table: rejects that are cascades of a rejected parent. */
  cascaded: Map<string, number>;
  /** Per source table: orphans left out by the drop rule (counted with `rejected` in the job state). */
  dropped: Map<string, number>;
}

const MAX_EXAMPLES = 5;

export async function summarizeOutcomes(
  rejectsFile: string | null,
  changesFile: string | null,
  tables: readonly ResolvedTable[],
): Promise<OutcomeSummary> {
  const byTable = new Map(tables.map((t) => [t.source, t]));
  const rejects = new Map<string, RejectGroup>();
  const cascaded = new Map<string, number>();
  for await (const r of jsonLines(rejectsFile)) {
    const table = String(r.table);
    const column = String(r.column);
    const reason = String(r.reason);
    const cascade = r.cascade === true;
    const id = JSON.stringify([table, column, reason, cascade]);
    let g = rejects.get(id);
    if (!g) {
      g = { table, column, reason, count: 0, cascade, examples: [], fixes: [] };
      rejects.set(id, g);
    }
    g.count++;
    if (g.examples.length < MAX_EXAMPLES) g.examples.push(String(r.key));
    if (cascade) cascaded.set(table, (cascaded.get(table) ?? 0) + 1);
  }
  const rejectGroups = [...rejects.values()].map((g) => {
    const fix = fixesFor(byTable.get(g.table), g);
    return { ...g, fixes: fix.fixes, ...(fix.key ? { key: fix.key } : {}) };
  });

  const changes = new Map<string, ChangeGroup>();
  const dropped = new Map<string, number>();
  for await (const c of jsonLines(changesFile)) {
    const table = String(c.table);
    const column = String(c.column);
    const kind = String(c.code);
    const id = JSON.stringify([table, column, kind]);
    let g = changes.get(id);
    if (!g) {
      g = { table, column, kind, count: 0, examples: [] };
      changes.set(id, g);
    }
    g.count++;
    if (g.examples.length < MAX_EXAMPLES)
      g.examples.push({ key: String(c.key), from: String(c.original), to: text(c.converted) });
    if (kind === 'dropped-orphan') dropped.set(table, (dropped.get(table) ?? 0) + 1);
  }
  const bySize = <T extends { count: number }>(a: T, b: T): number => b.count - a.count;
  return {
    rejectGroups: rejectGroups.sort(bySize),
    changeGroups: [...changes.values()].sort(bySize),
    cascaded,
    dropped,
  };
}

/** The rules that would keep this group's rows, safest first. */
function fixesFor(
  table: ResolvedTable | undefined,
  g: RejectGroup,
): { fixes: FixAction[]; key?: string[] } {
  if (!table) return { fixes: [] };
  const col = table.columns.find((c) => c.source === g.column);
  const canLeaveEmpty = !!col && (col.nullable || col.nullReplacement !== null);
  switch (g.reason) {
    case 'fractional':
    case 'unparseable':
    case 'not allowed': {
      const fixes: FixAction[] = [];
      if (g.reason === 'fractional' && col && (col.type === 'integer' || col.type === 'bigint'))
        fixes.push('round', 'truncate');
      if (canLeaveEmpty) fixes.push('keep-in-extra');
      return { fixes };
    }
    case 'orphan':
      return table.target.kind === 'postgres' ? { fixes: ['drop'] } : { fixes: [] };
    case 'duplicate key': {
      if (table.target.kind !== 'postgres' || !col) return { fixes: [] };
      const target = table.target;
      const keys = [
        ...target.uniqueKeys.map((k) => k.columns),
        ...(target.primaryKey.length > 0 ? [target.primaryKey] : []),
      ];
      const key = keys.find((k) => k.includes(col.target));
      if (!key) return { fixes: [] };
      const fixes: FixAction[] = [];
      if (table.columns.some((c) => key.includes(c.target) && c.type === 'text'))
        fixes.push('keep-first-rename');
      if (target.primaryKey.length > 0 && key !== target.primaryKey) fixes.push('merge');
      return { fixes, key };
    }
    default:
      return { fixes: [] };
  }
}

function text(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function* jsonLines(file: string | null): AsyncGenerator<Record<string, unknown>> {
  if (!file || !existsSync(file)) return;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A hand-edited line that is not JSON is apply-rejects' to report; it is not counted here.
    }
  }
}

/** The plain-language fix of a group, for report.txt. */
export function describeFix(g: RejectGroup): string {
  const target =
    g.reason === 'duplicate key'
      ? `${g.table}(${(g.key ?? [g.column]).join(',')})`
      : g.reason === 'orphan'
        ? g.table
        : `${g.table}.${g.column}`;
  const flag =
    g.reason === 'duplicate key'
      ? '--duplicate-rule'
      : g.reason === 'orphan'
        ? '--orphan-rule'
        : '--value-rule';
  if (g.cascade)
    return `these rows follow a parent that was not migrated; fix the parent's group and they can follow${g.fixes.includes('drop') ? `, or leave them out on purpose with ${flag} ${target}=drop` : ''}.`;
  const words: Record<FixAction, string> = {
    round: 'round the value to the nearest whole number',
    truncate: 'cut off the fractional part',
    'keep-in-extra': 'keep the original in the legacy_extra column and leave the column empty',
    'keep-first-rename': 'keep the first row and give the other a "+dup-<key>" suffix',
    merge: 'merge the row into the first one (its children follow)',
    drop: 'leave these rows out, recorded as changes',
  };
  if (g.fixes.length === 0)
    return 'edit the "row" values of these lines in the rejects file, then apply it again.';
  return `${g.fixes.map((f) => `${words[f]} (${flag} ${target}=${f})`).join('; or ')}.`;
}

/**
 * The rule a one-click fix stands for: `action` (one of the group's `fixes`)
 * applied to the group's column, key or table. Merge it into the session's
 * rules (rules.ts mergeRules) and re-apply the rejects file with them.
 */
export function ruleForFix(group: RejectGroup, action: FixAction): MigrationRules {
  if (!group.fixes.includes(action))
    throw new NovaError(
      'INVALID_ARGUMENT',
      `"${action}" is not a fix for the rejects of ${group.table}.${group.column} (${group.reason}).`,
      {
        fix: `Choose one of the group's fixes: ${group.fixes.join(', ') || 'none — edit the rows in the rejects file instead'}.`,
      },
    );
  switch (action) {
    case 'round':
    case 'truncate':
    case 'keep-in-extra':
      return {
        values: [{ table: group.table, column: group.column, action }],
        duplicates: [],
        orphans: [],
      };
    case 'keep-first-rename':
    case 'merge':
      return {
        values: [],
        duplicates: [{ table: group.table, key: group.key ?? [group.column], action }],
        orphans: [],
      };
    case 'drop':
      return { values: [], duplicates: [], orphans: [{ table: group.table, action }] };
  }
}
