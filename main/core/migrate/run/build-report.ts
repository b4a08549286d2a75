/**
 * Assembles the MigrationReport of a run or a dry run from the job's facts:
 * per-table progress and verification, the plan's decisions, the exported
 * outcome files. `ok` means every table's rows are all accounted for and —
 * for a run — verified against the target.
 */
import type { MigrationReport, TableReport } from '../report.js';
import type { TableVerification } from '../verify.js';
import type { ExportedOutcomes } from './export-outcomes.js';
import type { SourcePlan, TargetKind } from './job-setup.js';
import type { TableProgress } from './job-types.js';
import { targetLabel } from './outcome-records.js';
import type { OutcomeSummary } from '../reject-groups.js';

export interface ReportInput {
  kind: 'run' | 'dry-run';
  jobId: string | null;
  source: string;
  sourceCopy: string | null;
  targets: TargetKind[];
  destinations: MigrationReport['destinations'];
  sp: SourcePlan;
  progress: Map<string, TableProgress>;
  /** Per source table; absent in a dry run. */
  verification: Map<string, TableVerification> | null;
  /** Rows per source table (dry run: counted while converting). */
  sourceRows?: Map<string, number>;
  warnings: string[];
  backup: string | null;
  resumed: boolean;
  files: ExportedOutcomes | null;
  /** Rejects and changes grouped (reject-groups.ts); absent: none. */
  summary?: OutcomeSummary;
  reportDir: string | null;
  startedAt: Date;
}

export function buildReport(input: ReportInput): MigrationReport {
  const tables: Record<string, TableReport> = {};
  let ok = true;
  for (const table of input.sp.resolved.tables) {
    const p = input.progress.get(table.source);
    const v = input.verification?.get(table.source);
    const migrated = p?.migrated ?? 0;
    const duplicates = p?.duplicates ?? 0;
    const rejected = p?.rejected ?? 0;
    const source = v?.sourceRows ?? input.sourceRows?.get(table.source) ?? table.rowCount;
    const accounted = migrated + duplicates + rejected === source;
    // Dropped orphans are counted with the rejects in the job state; the report shows them apart.
    const dropped = input.summary?.dropped.get(table.source) ?? 0;
    const entry: TableReport = {
      source,
      migrated,
      duplicates,
      rejected: rejected - dropped,
      cascaded: input.summary?.cascaded.get(table.source) ?? 0,
      ...(dropped > 0 ? { dropped } : {}),
      changed: p?.changed ?? 0,
      verified: v ? v.verified : null,
      target: targetLabel(table),
    };
    const problems = v
      ? v.problems
      : accounted
        ? []
        : [`${source} source rows, but ${migrated + duplicates + rejected} accounted for`];
    if (problems.length > 0) entry.problems = problems;
    if (!accounted || (v && !v.verified)) ok = false;
    // defineProperty: a source table may be called "__proto__".
    Object.defineProperty(tables, table.source, {
      value: entry,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const finishedAt = new Date();
  return {
    ok,
    kind: input.kind,
    jobId: input.jobId,
    source: input.source,
    sourceCopy: input.sourceCopy,
    target: input.targets.join(','),
    destinations: input.destinations,
    plan: { name: input.sp.resolved.name, origin: input.sp.origin, file: input.sp.planFile },
    tables,
    decisions: input.sp.resolved.decisions,
    warnings: input.warnings,
    backup: input.backup,
    resumed: input.resumed,
    rejects: input.files?.samples ?? [],
    rejectsTotal: input.files?.rejectsTotal ?? 0,
    rejectGroups: input.summary?.rejectGroups ?? [],
    changeGroups: input.summary?.changeGroups ?? [],
    ...(input.sp.resolved.rules ? { rules: input.sp.resolved.rules } : {}),
    rejectsFile: input.files && input.files.rejectsTotal > 0 ? input.files.rejectsFile : null,
    changesFile: input.files && input.files.changesTotal > 0 ? input.files.changesFile : null,
    reportDir: input.reportDir,
    startedAt: input.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - input.startedAt.getTime(),
  };
}
