/**
 * The migration report (main/core/migrate/README.md#report, docs/ARCHITECTURE.md#stable-interfaces): machine-readable JSON — the shape
 * scripts rely on, `{ ok, source, target, tables: { NAME: { source,
 * migrated, duplicates, rejected, verified } }, rejectsFile, durationMs }`
 * with `source = migrated + duplicates + rejected` for every table — and a
 * human summary of the same facts. Rejects are written as JSONL (one
 * RejectRecord per line) that an admin can fix and re-apply.
 */
import { createWriteStream } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { PlanDecision } from './resolved-plan.js';
import { describeFix, type ChangeGroup, type RejectGroup } from './reject-groups.js';
import type { MigrationRules } from './rules.js';

export interface TableReport {
  /** Rows in the source table. */
  source: number;
  migrated: number;
  /** Exact duplicates merged into one row (counted, not lost). */
  duplicates: number;
  rejected: number;
  /** Values changed to fit, each recorded with its original in changes.jsonl. */
  changed: number;
  /** Of `rejected`, the rows rejected only because their parent row was. */
  cascaded: number;
  /** Orphans left out by the drop rule (recorded as changes); source = migrated + duplicates + rejected + dropped. */
  dropped?: number;
  /** Counts and checksums matched; null in a dry run. */
  verified: boolean | null;
  /** `postgres:users`, `mongo:events`. */
  target: string;
  problems?: string[];
}

/** The first rejects, in the shape of the shared contract's rejectSchema. */
export interface RejectSample {
  table: string;
  key: string;
  column: string;
  original: string;
  reason: string;
  message: string;
  cascade?: boolean;
  parent?: string;
}

export interface MigrationReport {
  ok: boolean;
  kind: 'run' | 'dry-run';
  jobId: string | null;
  /** The legacy file. */
  source: string;
  /** The copy of the source taken before anything was written (kept in the job directory). */
  sourceCopy: string | null;
  /** The target kinds written: `postgres`, `mongo`, `postgres,mongo` (dry run: what would be written). */
  target: string;
  destinations: { postgres: string | null; mongo: string | null };
  plan: { name: string; origin: 'builtin' | 'auto' | 'file'; file: string | null };
  tables: Record<string, TableReport>;
  /** What the plan left out or changed on purpose, and why. */
  decisions: PlanDecision[];
  warnings: string[];
  /** The backup of the target taken before writing, when there is one. */
  backup: string | null;
  resumed: boolean;
  rejects: RejectSample[];
  rejectsTotal: number;
  rejectsFile: string | null;
  /** Every reject grouped by table, column and reason, with the rules that would keep them. */
  rejectGroups: RejectGroup[];
  /** Every change summarised by kind. */
  changeGroups: ChangeGroup[];
  /** The rules the run applied (absent: none, every problem row was rejected). */
  rules?: MigrationRules;
  changesFile: string | null;
  reportDir: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'report.txt';
export const REJECTS_FILE = 'rejects.jsonl';
export const CHANGES_FILE = 'changes.jsonl';
export const MAX_REJECT_SAMPLES = 200;

/** Writes report.json and report.txt into `dir` (each replaced atomically). */
export async function writeReport(dir: string, report: MigrationReport): Promise<void> {
  await writeAtomic(`${dir}/${REPORT_FILE}`, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(`${dir}/${SUMMARY_FILE}`, renderSummary(report));
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.partial`, text, { mode: 0o600 });
  await rename(`${file}.partial`, file);
}

/** Streams records as JSON lines into `file` (replaced atomically); returns how many. */
export async function writeJsonLines(
  file: string,
  records: AsyncIterable<unknown> | Iterable<unknown>,
): Promise<number> {
  const out = createWriteStream(`${file}.partial`, { mode: 0o600 });
  let n = 0;
  try {
    for await (const r of records) {
      n++;
      if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw err;
  }
  await rename(`${file}.partial`, file);
  return n;
}

/** The human summary: one line per table, then rejects, decisions and warnings. */
export function renderSummary(r: MigrationReport): string {
  const lines: string[] = [];
  const status = r.ok
    ? r.kind === 'dry-run'
      ? 'OK (dry run: nothing written)'
      : 'OK, verified'
    : 'NOT OK';
  lines.push(
    `${r.kind === 'dry-run' ? 'Dry run' : 'Migration'} of ${r.source} → ${r.target}: ${status} in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (r.destinations.postgres) lines.push(`  PostgreSQL: ${r.destinations.postgres}`);
  if (r.destinations.mongo) lines.push(`  MongoDB:    ${r.destinations.mongo}`);
  lines.push(`  Plan: ${r.plan.name} (${r.plan.origin}${r.plan.file ? `: ${r.plan.file}` : ''})`);
  if (r.resumed) lines.push('  Resumed an interrupted run.');
  lines.push('');
  // Columns that only rules and cascades fill are shown when they have something to say.
  const anyDropped = Object.values(r.tables).some((t) => (t.dropped ?? 0) > 0);
  const anyCascaded = Object.values(r.tables).some((t) => (t.cascaded ?? 0) > 0);
  const header = [
    'table',
    'target',
    'source',
    'migrated',
    'duplicates',
    'rejected',
    ...(anyCascaded ? ['cascaded'] : []),
    ...(anyDropped ? ['dropped'] : []),
    'changed',
    'verified',
  ];
  const rows = Object.entries(r.tables).map(([name, t]) => [
    name,
    t.target,
    String(t.source),
    String(t.migrated),
    String(t.duplicates),
    String(t.rejected),
    ...(anyCascaded ? [String(t.cascaded ?? 0)] : []),
    ...(anyDropped ? [String(t.dropped ?? 0)] : []),
    String(t.changed),
    t.verified === null ? '-' : t.verified ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push(fmt(header), ...rows.map(fmt));
  for (const [name, t] of Object.entries(r.tables))
    for (const p of t.problems ?? []) lines.push(`  ! ${name}: ${p}`);
  lines.push('');
  if (r.rejectsTotal > 0) {
    lines.push(
      `${r.rejectsTotal} row(s) ${r.kind === 'dry-run' ? 'would be' : 'were'} rejected${r.rejectsFile ? ` → ${r.rejectsFile}` : ''}.`,
    );
    const cascades = r.rejectGroups.filter((g) => g.cascade).reduce((n, g) => n + g.count, 0);
    if (cascades > 0)
      lines.push(
        `  ${r.rejectsTotal - cascades} for a defect of their own, ${cascades} only because their parent row was rejected (cascades).`,
      );
    for (const g of r.rejectGroups) {
      lines.push(
        `  ${g.count} × ${g.table}.${g.column}: ${g.cascade ? 'parent not migrated' : g.reason} (e.g. ${g.examples.join('; ')})`,
        `      fix: ${describeFix(g)}`,
      );
    }
    // Without groups (a report built before they were counted): the first rejects one by one.
    if (r.rejectGroups.length === 0) {
      for (const s of r.rejects.slice(0, 10))
        lines.push(
          `  ${s.table} ${s.key}: ${s.reason} (${s.column} = ${truncate(s.original)}) — ${truncate(s.message, 120)}`,
        );
      if (r.rejectsTotal > 10)
        lines.push(`  … and ${r.rejectsTotal - 10} more in the rejects file.`);
    }
    if (r.kind === 'run' && r.rejectsFile)
      lines.push(
        `  Fix the "row" values of the lines you want to keep, then run: nova-db migrate --apply-rejects ${r.rejectsFile}`,
      );
  } else {
    lines.push(r.kind === 'dry-run' ? 'No row would be rejected.' : 'No row was rejected.');
  }
  const changed = Object.values(r.tables).reduce((n, t) => n + t.changed, 0);
  if (changed > 0) {
    lines.push(
      `${changed} value(s) changed to fit or row(s) kept by a rule, each with its original${r.changesFile ? ` → ${r.changesFile}` : ''}:`,
    );
    for (const g of r.changeGroups) {
      const e = g.examples[0];
      lines.push(
        `  ${g.count} × ${g.table}.${g.column}: ${g.kind}${e ? ` (e.g. ${e.key}: ${truncate(e.from)} → ${truncate(e.to)})` : ''}`,
      );
    }
  }
  if (r.rules) {
    const list = [
      ...r.rules.values.map((v) => `value ${v.table}.${v.column}=${v.action}`),
      ...r.rules.duplicates.map((d) => `duplicate ${d.table}(${d.key.join(',')})=${d.action}`),
      ...r.rules.orphans.map((o) => `orphan ${o.table}=${o.action}`),
    ];
    if (list.length > 0) lines.push(`Rules applied: ${list.join('; ')}.`);
  }
  const leftOut = r.decisions.filter((d) => d.decision !== 'note');
  if (leftOut.length > 0) {
    lines.push('', 'Decided by the plan:');
    for (const d of leftOut)
      lines.push(`  ${d.table}${d.column ? `.${d.column}` : ''}: ${d.decision} — ${d.reason}`);
  }
  if (r.warnings.length > 0) lines.push('', 'Warnings:', ...r.warnings.map((w) => `  ${w}`));
  if (r.sourceCopy) lines.push('', `Copy of the source kept before writing: ${r.sourceCopy}`);
  if (r.backup) lines.push(`Backup of the target before writing: ${r.backup}`);
  return `${lines.join('\n')}\n`;
}

function truncate(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
