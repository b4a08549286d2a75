/**
 * The pieces a run and a dry run share before any row moves: where the job
 * lives, which plan applies to the snapshot (a plan file, else the built-in
 * Nova plan for a Nova legacy file, else an automatic plan), and which
 * targets the plan needs.
 */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { NovaError } from '../../errors.js';
import { autoPlan } from '../auto-plan.js';
import { isNovaLegacyDatabase, novaLegacyPlan } from '../builtin-nova-plan.js';
import {
  countTableTypes,
  inspectDatabase,
  readSource,
  type InspectReport,
  type TableInfo,
} from '../inspect.js';
import { loadPlanFile } from '../plan-file.js';
import type { Plan } from '../plan-schema.js';
import { resolvePlan, type ResolvedPlan } from '../resolve-plan.js';
import { sanitizeIdentifier } from '../auto-plan.js';
import { applyRules, mergeRules, type MigrationRules } from '../rules.js';

export type TargetKind = 'postgres' | 'mongo';
export const TARGET_KINDS: readonly TargetKind[] = ['postgres', 'mongo'];

/** File name of the source copy in the job directory. */
export const SNAPSHOT_FILE = 'source-snapshot.sqlite';

/** `<data dir>/migrations/<name>-<hash of the source path>`: the same source finds its job again. */
export function defaultJobDir(dataDir: string, sourceFile: string): string {
  const file = resolve(sourceFile);
  const hash = createHash('sha256').update(file).digest('hex').slice(0, 10);
  return join(dataDir, 'migrations', `${sanitizeIdentifier(basename(file), 'source')}-${hash}`);
}

export interface SourcePlan {
  inspect: InspectReport;
  plan: Plan;
  resolved: ResolvedPlan;
  origin: 'builtin' | 'auto' | 'file';
  planFile: string | null;
  /** sha256 of the resolved plan: a resumed run must load by exactly the same plan. */
  hash: string;
}

/**
 * The plan for the snapshot. Storage classes are counted only where a plan
 * decision depends on them (an automatic plan, tables the plan does not
 * know, columns it does not map): counting them takes a full scan of every
 * table, the largest single cost before the first row moves.
 */
export async function planForSnapshot(
  snapshot: string,
  planFile?: string,
  /** Rules from the CLI or the wizard; they override the plan's own `rules` one by one. */
  rules?: MigrationRules,
): Promise<SourcePlan> {
  const filePlan = planFile ? await loadPlanFile(planFile) : null;
  return readSource(snapshot, (db) => {
    const report = inspectDatabase(db, snapshot, { countTypes: false });
    const countTypes = (table: TableInfo): void => countTableTypes(db, table);
    let plan: Plan;
    let origin: SourcePlan['origin'];
    if (filePlan) {
      plan = filePlan;
      origin = 'file';
    } else if (isNovaLegacyDatabase(report)) {
      plan = novaLegacyPlan;
      origin = 'builtin';
    } else {
      report.tables.forEach(countTypes);
      plan = autoPlan(report);
      origin = 'auto';
    }
    const resolved = applyRules(
      resolvePlan(plan, report, countTypes),
      plan,
      mergeRules(plan.rules, rules),
    );
    const hash = createHash('sha256').update(JSON.stringify(resolved)).digest('hex');
    return {
      inspect: report,
      plan,
      resolved,
      origin,
      planFile: planFile ? resolve(planFile) : null,
      hash,
    };
  });
}

/** The target kinds the plan writes to. */
export function planKinds(resolved: ResolvedPlan): Set<TargetKind> {
  return new Set(resolved.tables.map((t) => t.target.kind));
}

/**
 * The targets to write: `requested` (--target) when given, else what the
 * plan needs (PostgreSQL when it needs nothing). A plan table whose kind is
 * not requested is refused rather than silently skipped.
 */
export function chooseTargets(resolved: ResolvedPlan, requested?: readonly string[]): TargetKind[] {
  const needed = planKinds(resolved);
  if (!requested || requested.length === 0) return needed.size === 0 ? ['postgres'] : [...needed];
  const bad = requested.filter((t) => !TARGET_KINDS.includes(t as TargetKind));
  if (bad.length > 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Unknown migration target ${bad.map((b) => JSON.stringify(b)).join(', ')}.`,
      {
        fix: 'Use --target postgres, --target mongo or --target postgres,mongo.',
      },
    );
  }
  const chosen = [...new Set(requested as TargetKind[])];
  const missing = [...needed].filter((k) => !chosen.includes(k));
  if (missing.length > 0) {
    const tables = resolved.tables
      .filter((t) => missing.includes(t.target.kind))
      .map((t) => t.source);
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The plan "${resolved.name}" loads ${tables.map((t) => JSON.stringify(t)).join(', ')} into ${missing.join(' and ')}, but --target is ${chosen.join(',')}.`,
      {
        fix: `Add ${missing.join(',')} to --target (e.g. --target ${[...chosen, ...missing].join(',')}), or change the plan.`,
      },
    );
  }
  return chosen;
}
