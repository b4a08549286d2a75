/**
 * What the rejects fix-it view shows, as plain data from the contract's
 * rejects view (no DOM): the groups with their one-click fixes, the rows to
 * edit, the changed values by kind, and the words around them. The render
 * functions (fix-rejects-tables.ts) draw these; fix-rejects.ts wires them.
 */
import type {
  ChangeGroupDto,
  FixAction,
  MigrationRulesInput,
  RejectGroupDto,
} from '../../../shared-contract/methods/migration.js';
import type {
  RejectLineDto,
  RejectsViewDto,
} from '../../../shared-contract/methods/migration-wizard.js';
import { formatCount, plural } from '../../lib/format.js';
import { changeText, FIX_LABEL, fixText, reasonText } from './reject-words.js';
import { valueOf } from './rejects-csv.js';

/**
 * Fixes that applying the rejects again can carry out: they let rows in.
 * Dropping orphans and merging duplicates leave rows out, which only a run
 * does — on a dry run's report they are chosen for the run instead.
 */
export const APPLY_FIXES: ReadonlySet<FixAction> = new Set<FixAction>([
  'round',
  'truncate',
  'keep-in-extra',
  'keep-first-rename',
]);

export interface FixChoice {
  action: FixAction;
  /** The button's words. */
  label: string;
  ariaLabel: string;
  /** Already chosen for the run (dry run only): shown, not clickable. */
  chosen: boolean;
  rule: MigrationRulesInput;
}

export interface GroupRowModel {
  /** `table.column.reason`: what tests and the page use to find the row. */
  id: string;
  where: string;
  why: string;
  /** Rejected because its parent row was: fixed by fixing the parent. */
  cascade: boolean;
  count: string;
  examples: string;
  fixText: string;
  fixes: FixChoice[];
}

/** One group of rejects; `applicable` = the run's report (rows can be applied), not a dry run's. */
export function groupRowModel(
  g: RejectGroupDto,
  applicable: boolean,
  chosen: MigrationRulesInput | undefined,
): GroupRowModel {
  const actions = g.cascade ? [] : applicable ? g.fixes.filter((f) => APPLY_FIXES.has(f)) : g.fixes;
  return {
    id: `${g.table}.${g.column}.${g.reason}`,
    where: `${g.table}.${g.column}`,
    why: reasonText(g.reason),
    cascade: g.cascade,
    count: formatCount(g.count),
    examples: g.examples.join(', ') + (g.count > g.examples.length ? ', …' : ''),
    fixText: fixText(g, applicable),
    fixes: actions.map((action) => {
      const rule = ruleFor(g.table, g.column, action, g.key);
      const already = !applicable && hasRule(chosen, rule);
      return {
        action,
        label: already ? `${FIX_LABEL[action]} ✓ chosen for the run` : FIX_LABEL[action],
        ariaLabel: `${FIX_LABEL[action]}${applicable ? '' : ' in the run'}: ${g.table}.${g.column}, ${plural(g.count, 'row')}`,
        chosen: already,
        rule,
      };
    }),
  };
}

export interface LineRowModel {
  line: number;
  label: string;
  column: string;
  reason: string;
  message: string | null;
  original: string;
  /** What the edit box starts with. */
  value: string;
  ariaLabel: string;
}

export function lineRowModel(l: RejectLineDto): LineRowModel {
  return {
    line: l.line,
    label: `${l.table} ${l.key}`,
    column: l.column,
    reason: l.reason,
    message: l.message ?? null,
    original: short(l.original),
    value: valueOf(l),
    ariaLabel: `New value of ${l.column} for ${l.table} ${l.key}`,
  };
}

export interface ChangeRowModel {
  kind: string;
  what: string;
  where: string;
  count: string;
  examples: string[];
}

export function changeRowModel(g: ChangeGroupDto): ChangeRowModel {
  return {
    kind: g.kind,
    what: changeText(g.kind),
    where: `${g.table}.${g.column}`,
    count: formatCount(g.count),
    examples: g.examples.slice(0, 2).map((e) => `${e.key}: ${short(e.from)} → ${short(e.to)}`),
  };
}

export interface FixRejectsModel {
  heading: string;
  /** No rejects at all: the rest is not shown. */
  none: boolean;
  /** The words above the groups; `note` when it is a dry run's (shown as a notice). */
  intro: { text: string; note: boolean };
  /** The rules chosen for the run, in words (dry run only). */
  chosenRules: string[];
  /** When only part of the rows are listed for editing. */
  partial: string | null;
  details: { open: boolean; summary: string; editable: boolean };
  changedHeading: string;
  /** "Apply fixed rejects" belongs in the action bar. */
  canApply: boolean;
}

export function fixRejectsModel(
  view: RejectsViewDto,
  rules: MigrationRulesInput | undefined,
): FixRejectsModel {
  const shown = formatCount(view.lines.length);
  return {
    heading: `Rejected rows (${formatCount(view.total)})`,
    none: view.total === 0,
    intro: view.applicable
      ? {
          text: `${plural(view.total, 'row')} in ${plural(view.groups.length, 'group')}. Fix a group with one of its buttons, or correct the values in the rows below (or in a spreadsheet), then choose Apply fixed rejects. Rows that still do not fit stay here with their new reason.`,
          note: false,
        }
      : {
          text: 'A dry run writes nothing, so no row can be applied yet. A fix chosen here is used by the run; after the run, the rows left can be edited and applied here.',
          note: true,
        },
    chosenRules: !view.applicable && rules ? chosenRuleLines(rules) : [],
    partial:
      view.lines.length < view.total
        ? `The first ${shown} rows are shown for editing; the groups count all ${formatCount(view.total)}.`
        : null,
    details: {
      open: view.total <= 50,
      summary: view.applicable
        ? `Edit the rejected rows (${shown})`
        : `The rejected rows (${shown})`,
      editable: view.applicable,
    },
    changedHeading: `Values changed to fit (${formatCount(view.changeGroups.reduce((n, g) => n + g.count, 0))})`,
    canApply: view.applicable && view.total > 0,
  };
}

/** The rows whose value the admin changed, as `applyRejects` edits (a number stays a number). */
export function editedRows(
  lines: readonly RejectLineDto[],
  valueNow: (line: number) => string | undefined,
): { line: number; row: Record<string, unknown> }[] {
  const out: { line: number; row: Record<string, unknown> }[] = [];
  for (const l of lines) {
    const value = valueNow(l.line);
    if (value === undefined || value === valueOf(l)) continue;
    out.push({ line: l.line, row: { [l.column]: typed(value, l.row[l.column]) } });
  }
  return out;
}

/** The rules chosen for the run, in words. */
export function chosenRuleLines(rules: MigrationRulesInput): string[] {
  const label = (action: string) => FIX_LABEL[action as FixAction] ?? action;
  return [
    ...(rules.values ?? []).map((r) => `${label(r.action)}: ${r.table}.${r.column}`),
    ...(rules.duplicates ?? []).map((r) => `${label(r.action)}: ${r.table} (${r.key.join(', ')})`),
    ...(rules.orphans ?? []).map((r) => `${label(r.action)}: ${r.table}`),
  ];
}

/** Both sets of rules, each rule once. */
export function mergeRules(
  a: MigrationRulesInput | undefined,
  b: MigrationRulesInput,
): MigrationRulesInput {
  const uniq = <T>(xs: T[]): T[] => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
  return {
    values: uniq([...(a?.values ?? []), ...(b.values ?? [])]),
    duplicates: uniq([...(a?.duplicates ?? []), ...(b.duplicates ?? [])]),
    orphans: uniq([...(a?.orphans ?? []), ...(b.orphans ?? [])]),
  };
}

export function hasRule(
  rules: MigrationRulesInput | undefined,
  rule: MigrationRulesInput,
): boolean {
  if (!rules) return false;
  return JSON.stringify(mergeRules(rules, rule)) === JSON.stringify(mergeRules(rules, {}));
}

/** The rule of one one-click fix. */
export function ruleFor(
  table: string,
  column: string,
  fix: FixAction,
  key: string[] | undefined,
): MigrationRulesInput {
  if (fix === 'drop') return { orphans: [{ table, action: 'drop' }] };
  if (fix === 'keep-first-rename' || fix === 'merge')
    return { duplicates: [{ table, key: key ?? [column], action: fix }] };
  return { values: [{ table, column, action: fix }] };
}

/** A typed value keeps the kind of the original: a number stays a number when it reads as one. */
export function typed(text: string, original: unknown): unknown {
  if (typeof original === 'number' && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (text === '' && original === null) return null;
  return text;
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
