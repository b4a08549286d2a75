/**
 * Migration rules: what a site chooses instead of rejecting a row.
 *
 * - a value that does not fit its column (`values`): round or truncate a
 *   fractional number for an integer column, keep the original in the
 *   table's jsonb extra column (`legacy_extra`) and store NULL (or the
 *   column's nullReplacement), or reject the row (the default);
 * - a duplicate on a unique key (`duplicates`): keep the first row and give
 *   the other's key a recorded suffix, merge the other into the first (its
 *   children follow the first), or reject it with its children (default);
 * - an orphan (`orphans`): drop it as a recorded change, or reject it.
 *
 * Rules come from the plan file (`rules:`), the CLI flags and the wizard.
 * They are validated against the resolved plan (every problem listed, with
 * the valid tables, columns, keys and actions), then written into it: value
 * rules become the columns' `fractional` / `onInvalid`, row rules ride on the
 * table (`ResolvedTable.rules`) for the loader (rules-apply.ts). The plan's
 * hash covers them, so a resumed run applies exactly the same rules.
 */
import { NovaError } from '../errors.js';
import {
  duplicateActionSchema,
  migrationRulesSchema,
  orphanActionSchema,
  valueRuleActionSchema,
  type MigrationRules,
  type MigrationRulesInput,
} from '../../../shared-contract/methods/migration.js';
import type { Plan } from './plan-schema.js';
import type {
  ResolvedColumn,
  ResolvedPlan,
  ResolvedTable,
  TableRowRules,
} from './resolved-plan.js';

export type { MigrationRules } from '../../../shared-contract/methods/migration.js';

export const EMPTY_RULES: MigrationRules = Object.freeze({
  values: [],
  duplicates: [],
  orphans: [],
}) as MigrationRules;

export function hasRules(r: MigrationRules | undefined): r is MigrationRules {
  return !!r && r.values.length + r.duplicates.length + r.orphans.length > 0;
}

/** The CLI's repeatable flags, as typed. */
export interface RuleFlags {
  value?: readonly string[];
  duplicate?: readonly string[];
  orphan?: readonly string[];
}

const VALUE_ACTIONS = valueRuleActionSchema.options;
const DUPLICATE_ACTIONS = duplicateActionSchema.options;
const ORPHAN_ACTIONS = orphanActionSchema.options;

/**
 * Parses `--value-rule table.column=action`, `--duplicate-rule table.col=action`
 * or `table(col1,col2)=action`, `--orphan-rule table=action`. Syntax only:
 * names are checked against the plan by applyRules.
 */
export function parseRuleFlags(flags: RuleFlags): MigrationRules {
  const problems: string[] = [];
  const rules: MigrationRules = { values: [], duplicates: [], orphans: [] };
  for (const text of flags.value ?? []) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(text.trim());
    if (!m) {
      problems.push(`--value-rule ${JSON.stringify(text)}: write it as table.column=action`);
      continue;
    }
    const action = oneOf(m[3]!, VALUE_ACTIONS, `--value-rule ${text}`, problems);
    if (action) rules.values.push({ table: m[1]!.trim(), column: m[2]!.trim(), action });
  }
  for (const text of flags.duplicate ?? []) {
    const m =
      /^([^(.=]+)\(([^)]*)\)=(.*)$/.exec(text.trim()) ??
      /^([^.=]+)\.([^=]+)=(.*)$/.exec(text.trim());
    const key = m?.[2]
      ?.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    if (!m || !key || key.length === 0) {
      problems.push(
        `--duplicate-rule ${JSON.stringify(text)}: write it as table.column=action or table(col1,col2)=action`,
      );
      continue;
    }
    const action = oneOf(m[3]!, DUPLICATE_ACTIONS, `--duplicate-rule ${text}`, problems);
    if (action) rules.duplicates.push({ table: m[1]!.trim(), key, action });
  }
  for (const text of flags.orphan ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(text.trim());
    if (!m) {
      problems.push(`--orphan-rule ${JSON.stringify(text)}: write it as table=action`);
      continue;
    }
    const action = oneOf(m[2]!, ORPHAN_ACTIONS, `--orphan-rule ${text}`, problems);
    if (action) rules.orphans.push({ table: m[1]!.trim(), action });
  }
  if (problems.length > 0) throw invalidRules(problems, null);
  return rules;
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  what: string,
  problems: string[],
): T | null {
  const v = value.trim();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  problems.push(
    `${what}: ${JSON.stringify(v)} is not an action here; use one of ${allowed.join(', ')}`,
  );
  return null;
}

/** Validates rules data (from a plan file, the wizard or a request). */
export function parseRules(data: unknown, origin: string): MigrationRules {
  const r = migrationRulesSchema.safeParse(data);
  if (r.success) return r.data;
  throw invalidRules(
    r.error.issues.map((i) => `${origin}.${i.path.map(String).join('.')}: ${i.message}`),
    null,
  );
}

/** `more` over `base`: a later rule for the same column, key or table replaces the earlier one. */
export function mergeRules(
  base: MigrationRulesInput | undefined,
  more: MigrationRulesInput | undefined,
): MigrationRules {
  const a = migrationRulesSchema.parse(base ?? {});
  const b = migrationRulesSchema.parse(more ?? {});
  const by = <T>(items: T[], id: (t: T) => string): T[] => [
    ...new Map(items.map((t) => [id(t), t])).values(),
  ];
  return {
    values: by([...a.values, ...b.values], (v) => `${v.table}\u0000${v.column}`),
    duplicates: by([...a.duplicates, ...b.duplicates], (d) =>
      [d.table, ...[...d.key].sort()].join('\u0000'),
    ),
    orphans: by([...a.orphans, ...b.orphans], (o) => o.table),
  };
}

/**
 * The resolved plan with `rules` written into it; throws INVALID_ARGUMENT
 * listing every rule that names an unknown table, column or key, or an action
 * the column's type cannot take.
 */
export function applyRules(
  resolved: ResolvedPlan,
  plan: Plan,
  rules: MigrationRules,
): ResolvedPlan {
  if (!hasRules(rules)) return resolved;
  const problems: string[] = [];
  const byName = new Map(resolved.tables.map((t) => [t.source.toLowerCase(), t]));
  const tables = new Map(resolved.tables.map((t) => [t.source, cloneTable(t)]));
  const find = (name: string, what: string): ResolvedTable | null => {
    const t = byName.get(name.toLowerCase());
    if (t) return tables.get(t.source)!;
    problems.push(
      `${what}: there is no migrated table ${JSON.stringify(name)}; tables: ${resolved.tables.map((x) => x.source).join(', ')}`,
    );
    return null;
  };

  for (const v of rules.values) {
    const what = `value rule ${v.table}.${v.column}=${v.action}`;
    const t = find(v.table, what);
    if (!t) continue;
    const col = t.columns.find((c) => c.source.toLowerCase() === v.column.toLowerCase());
    if (!col) {
      problems.push(
        `${what}: ${t.source} has no mapped column ${JSON.stringify(v.column)}; columns: ${t.columns.map((c) => c.source).join(', ')}`,
      );
      continue;
    }
    const problem = applyValueRule(t, col, v.action, plan);
    if (problem) problems.push(`${what}: ${problem}`);
  }

  for (const d of rules.duplicates) {
    const what = `duplicate rule ${d.table}(${d.key.join(',')})=${d.action}`;
    const t = find(d.table, what);
    if (!t) continue;
    if (t.target.kind !== 'postgres') {
      problems.push(
        `${what}: ${t.source} goes to MongoDB, which has no unique keys to apply it to`,
      );
      continue;
    }
    const keys = [
      ...(t.target.primaryKey.length > 0 ? [t.target.primaryKey] : []),
      ...t.target.uniqueKeys.map((k) => k.columns),
    ];
    const key = keys.find((k) => sameSet(k, d.key));
    if (!key) {
      problems.push(
        `${what}: (${d.key.join(', ')}) is not a unique key of ${t.source}; its keys: ${keys.length > 0 ? keys.map((k) => `(${k.join(', ')})`).join(', ') : 'none'}`,
      );
      continue;
    }
    if (d.action === 'reject') continue;
    let renameColumn: string | null = null;
    if (d.action === 'keep-first-rename') {
      renameColumn =
        t.columns.find((c) => key.includes(c.target) && c.type === 'text')?.target ?? null;
      if (!renameColumn) {
        problems.push(
          `${what}: keep-first-rename gives a text column of the key a suffix, and (${key.join(', ')}) has none; use merge or reject`,
        );
        continue;
      }
    }
    if (d.action === 'merge' && t.target.primaryKey.length === 0) {
      problems.push(
        `${what}: merge points the other row's children at the first row by its primary key, and ${t.source} has none; use keep-first-rename or reject`,
      );
      continue;
    }
    rowRules(t).duplicates.push({ key, action: d.action, renameColumn });
  }

  for (const o of rules.orphans) {
    const what = `orphan rule ${o.table}=${o.action}`;
    const t = find(o.table, what);
    if (!t) continue;
    if (t.target.kind !== 'postgres' || t.target.foreignKeys.length === 0) {
      const withFks = resolved.tables
        .filter((x) => x.target.kind === 'postgres' && x.target.foreignKeys.length > 0)
        .map((x) => x.source);
      problems.push(
        `${what}: ${t.source} has no foreign keys, so it has no orphans; tables with foreign keys: ${withFks.join(', ') || 'none'}`,
      );
      continue;
    }
    rowRules(t).orphans = o.action;
  }

  if (problems.length > 0) throw invalidRules(problems, resolved);
  return {
    ...resolved,
    tables: resolved.tables.map((t) => tables.get(t.source)!),
    rules,
  };
}

function cloneTable(t: ResolvedTable): ResolvedTable {
  return {
    ...t,
    columns: t.columns.map((c) => ({ ...c })),
    outputColumns: [...t.outputColumns],
    extra: t.extra ? { ...t.extra, sources: [...t.extra.sources] } : null,
    target:
      t.target.kind === 'postgres'
        ? {
            ...t.target,
            columnTypes: [...t.target.columnTypes],
            addColumns: [...t.target.addColumns],
          }
        : { ...t.target },
  };
}

function rowRules(t: ResolvedTable): TableRowRules {
  t.rules ??= { duplicates: [], orphans: 'reject' };
  return t.rules;
}

/** Writes one value rule into its column; returns why it cannot apply, or null. */
function applyValueRule(
  t: ResolvedTable,
  col: ResolvedColumn,
  action: MigrationRules['values'][number]['action'],
  plan: Plan,
): string | null {
  const whole = col.type === 'integer' || col.type === 'bigint';
  switch (action) {
    case 'round':
    case 'truncate':
      if (!whole)
        return `${action} applies to whole-number columns, and ${col.source} is loaded as ${col.type}; use keep-in-extra or reject`;
      col.fractional = action;
      return null;
    case 'reject':
      col.fractional = 'reject';
      col.onInvalid = 'reject';
      return null;
    case 'keep-in-extra':
      if (!col.nullable && col.nullReplacement === null)
        return `${col.target} does not allow NULL and the plan gives no nullReplacement, so the column cannot be left empty; use reject, or set nullReplacement in the plan`;
      col.onInvalid = 'keep-in-extra';
      ensureExtra(t, plan);
      return null;
  }
}

/** keep-in-extra needs the table's extra column even when no unknown column created it. */
function ensureExtra(t: ResolvedTable, plan: Plan): void {
  if (t.extra) return;
  const mapping = plan.tables.find((m) => m.source === t.source)?.target;
  const name =
    mapping?.kind === 'postgres'
      ? mapping.extraColumn
      : mapping?.kind === 'mongo'
        ? mapping.extraField
        : 'legacy_extra';
  t.extra = { target: name, sources: [] };
  t.outputColumns.push(name);
  if (t.target.kind === 'postgres') {
    t.target.columnTypes.push('jsonb');
    if (!t.target.create) t.target.addColumns.push({ name, type: 'jsonb' });
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

function invalidRules(problems: string[], resolved: ResolvedPlan | null): NovaError {
  const tables = resolved ? ` Tables: ${resolved.tables.map((t) => t.source).join(', ')}.` : '';
  return new NovaError(
    'INVALID_ARGUMENT',
    `The migration rules are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      fix: `Correct or remove the listed rules. Value actions: ${VALUE_ACTIONS.join(', ')}; duplicate actions: ${DUPLICATE_ACTIONS.join(', ')}; orphan actions: ${ORPHAN_ACTIONS.join(', ')}.${tables}`,
    },
  );
}
