/**
 * What the plan review shows, as plain data from the plan preview: where
 * the plan came from, where each kind of data goes (or why it cannot yet),
 * each table with its target and column mapping, and every decision about
 * what is not migrated as-is. Pure: plan-tables.ts draws it, plan-step.ts
 * wires the buttons.
 */
import type { PlanPreviewDto } from '../../../shared-contract/methods/migration.js';
import { formatCount } from '../../lib/format.js';
import type { WizardState } from './state.js';

export interface PlanColumnModel {
  source: string;
  target: string;
  cast: string;
  targetType: string;
  nullable: 'yes' | 'no';
}

export interface PlanTableModel {
  source: string;
  rows: string;
  target: string;
  /** What kind of target, and whether the plan or Nova chose it. */
  targetHint: string;
  /** The folded column list's summary ("5 columns + 2 into extra"). */
  columnsSummary: string;
  columns: PlanColumnModel[];
}

export interface DecisionModel {
  tag: string;
  /** `table.column`, or the table when the decision is about all of it. */
  where: string;
  reason: string;
}

export interface PlanStepModel {
  /** Setup moved PostgreSQL since the plan was made: the plan was made again. */
  targetChangedWarning: string | null;
  intro: string;
  postgresTarget: string;
  mongoTarget: string;
  /** A PostgreSQL to write into: the target panel is shown, else a warning. */
  hasPostgres: boolean;
  tables: PlanTableModel[];
  decisionsHeading: string;
  decisions: DecisionModel[];
}

const ORIGIN: Record<PlanPreviewDto['planOrigin'], string> = {
  builtin: 'the built-in Nova plan',
  auto: 'an automatic plan',
  file: 'your plan file',
};

export function planTableModel(t: PlanPreviewDto['tables'][number]): PlanTableModel {
  return {
    source: t.source,
    rows: formatCount(t.rows),
    target: t.target.name,
    targetHint: `${t.target.kind === 'postgres' ? 'PostgreSQL table' : 'MongoDB collection'}${t.origin === 'auto' ? ', mapped automatically' : ''}`,
    columnsSummary: `${t.columns.length} columns${t.extra ? ` + ${t.extra.sources.length} into ${t.extra.target}` : ''}`,
    columns: t.columns.map((c) => ({
      source: c.source,
      target: c.target,
      cast: c.cast,
      targetType: c.targetType,
      nullable: c.nullable ? 'yes' : 'no',
    })),
  };
}

export function planStepModel(
  p: PlanPreviewDto,
  targetChanged: WizardState['targetChanged'],
): PlanStepModel {
  return {
    targetChangedWarning: targetChanged
      ? `The target changed in Setup since this plan was made (it was ${targetChanged.from ?? 'none'}). The plan below is made for ${targetChanged.to ?? 'no PostgreSQL'}; run the dry run again.`
      : null,
    intro: `Plan "${p.planName}" (${ORIGIN[p.planOrigin]}). Every source table and column is listed below with its target; anything not migrated as-is is explained under Decisions.`,
    postgresTarget:
      p.destinations.postgres ?? 'not configured — choose PostgreSQL in Setup before running',
    mongoTarget: p.destinations.mongo ?? 'none (documents stay in the relational store)',
    hasPostgres: Boolean(p.destinations.postgres),
    tables: p.tables.map(planTableModel),
    decisionsHeading: `Decisions (${p.decisions.length})`,
    decisions: p.decisions.map((d) => ({
      tag: d.decision,
      where: d.column ? `${d.table}.${d.column}` : d.table,
      reason: d.reason,
    })),
  };
}
