/**
 * Dry run (main/core/migrate/README.md#dry-run): converts every row of the snapshot exactly as a run
 * would, writes nothing to any target, and reports what would be migrated,
 * merged and rejected — including rejects only the target would find in a
 * run: duplicate keys (case-insensitive where the plan says so) and orphans
 * whose parent row is missing or would itself be rejected.
 *
 * Those checks need the keys seen so far, which for a large table do not fit
 * in memory; they are kept in a scratch SQLite file instead (one indexed
 * table per unique key and per foreign-key parent), so memory stays flat.
 * Pre-existing target rows (seeds) are not known to a dry run.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { TaskContext } from '../tasks/task.js';
import { convertRow } from './convert-row.js';
import type { MigrationRules } from './rules.js';
import { summarizeOutcomes } from './reject-groups.js';
import { dryRunOrphan, ParentLookup } from './orphan-parents.js';
import { preflight } from './preflight.js';
import type { ResolvedTable } from './resolved-plan.js';
import { buildReport } from './run/build-report.js';
import { chooseTargets, planForSnapshot } from './run/job-setup.js';
import { emptyProgress, type TableProgress } from './run/job-types.js';
import { docLine, toDocValue } from './run/mongo-docs.js';
import {
  changeRecord,
  convertRejectRecord,
  rejectRecord,
  sourceColumnOf,
  type RejectRecord,
} from './run/outcome-records.js';
import { copyValue } from './run/pg-text.js';
import { outputKinds } from './run/pg-target.js';
import { SourceTableReader } from './run/source-reader.js';
import {
  CHANGES_FILE,
  MAX_REJECT_SAMPLES,
  REJECTS_FILE,
  writeJsonLines,
  writeReport,
  type MigrationReport,
  type RejectSample,
} from './report.js';

export interface DryRunOptions {
  source: string;
  planFile?: string;
  targets?: string[];
  /** Where report.json, rejects.jsonl and changes.jsonl go; none: the report is only returned. */
  reportDir?: string;
  batchSize?: number;
  /** What to do instead of rejecting (rules.ts). Value rules apply; row rules need the target, so a dry run still counts those rows as rejects. */
  rules?: MigrationRules;
}

export async function dryRunMigration(
  options: DryRunOptions,
  ctx: TaskContext,
): Promise<MigrationReport> {
  const startedAt = new Date();
  const work = await mkdtemp(join(tmpdir(), 'nova-dry-run-'));
  const reportDir = options.reportDir ? resolve(options.reportDir) : null;
  let source: Database.Database | null = null;
  let shadow: Database.Database | null = null;
  try {
    ctx.progress({ phase: 'snapshot', done: 0, total: null });
    const pf = await preflight(options.source, work, { signal: ctx.signal });
    const sp = await planForSnapshot(pf.snapshotFile, options.planFile, options.rules);
    const targets = chooseTargets(sp.resolved, options.targets);
    source = new Database(pf.snapshotFile, { readonly: true });
    shadow = new Database(join(work, 'keys.sqlite'));
    shadow.pragma('journal_mode = OFF');
    shadow.pragma('synchronous = OFF');

    const spill = reportDir
      ? { rejects: join(work, 'rejects.part'), changes: join(work, 'changes.part') }
      : null;
    const rejectSink = new LineSpill(spill?.rejects);
    const changeSink = new LineSpill(spill?.changes);
    const samples: RejectSample[] = [];
    const progress = new Map<string, TableProgress>();
    const sourceRows = new Map<string, number>();
    const checker = new KeyChecker(shadow, sp.resolved.tables);
    const parents = new ParentLookup(source, sp.resolved.tables);

    for (const table of sp.resolved.tables) {
      const reader = new SourceTableReader(source, table);
      const p = emptyProgress(table.source);
      let rows = 0;
      const reject = (r: RejectRecord): void => {
        p.rejected++;
        if (samples.length < MAX_REJECT_SAMPLES)
          samples.push({
            table: r.table,
            key: r.key,
            column: r.column,
            original: r.original,
            reason: r.reason,
            message: r.message,
            ...(r.cascade ? { cascade: true, parent: String(r.parent) } : {}),
          });
        rejectSink.add(r);
      };
      let cursor: ReturnType<SourceTableReader['cursorAfter']> | null = null;
      for (;;) {
        ctx.throwIfCancelled();
        let n = 0;
        let last: unknown[] | null = null;
        shadow.exec('BEGIN');
        for (const row of reader.iterate(cursor, options.batchSize ?? 50_000)) {
          n++;
          last = row;
          const r = convertRow(table, row);
          if (!r.ok) {
            reject(convertRejectRecord(reader, row, r.reject));
            continue;
          }
          const verdict = checker.check(table, r.values);
          if (verdict.kind === 'duplicate') {
            p.duplicates++;
          } else if (verdict.kind === 'reject') {
            const record = rejectRecord(
              reader,
              row,
              sourceColumnOf(table, verdict.column),
              verdict.reason,
              verdict.message,
            );
            // Cascade marks and the orphan rule, as the load applies them (rules-apply.ts).
            const dropped =
              verdict.reason === 'orphan'
                ? dryRunOrphan(parents, table, reader, row, record, verdict.column)
                : null;
            if (dropped) {
              // Counted with the rejects like the load counts it; the report shows it as dropped.
              p.rejected++;
              p.changed++;
              changeSink.add(dropped);
            } else reject(record);
          } else {
            p.migrated++;
            p.changed += r.changes.length;
            for (const c of r.changes) changeSink.add(changeRecord(reader, row, c));
          }
        }
        shadow.exec('COMMIT');
        rows += n;
        ctx.progress({ phase: 'dry-run', item: table.source, done: rows, total: table.rowCount });
        if (n === 0 || last === null) break;
        cursor = reader.cursorAfter(last);
        if (n < (options.batchSize ?? 50_000)) break;
        // The batch loop is synchronous (better-sqlite3): let the event loop run between
        // batches so a headless HTTP server stays responsive and a cancel can arrive.
        await yieldToEventLoop();
      }
      sourceRows.set(table.source, rows);
      progress.set(table.source, p);
    }

    let files = null;
    if (reportDir) {
      const rejectsFile = join(reportDir, REJECTS_FILE);
      const changesFile = join(reportDir, CHANGES_FILE);
      await mkdir(reportDir, { recursive: true, mode: 0o700 });
      const rejectsTotal = await writeJsonLines(rejectsFile, rejectSink.read());
      const changesTotal = await writeJsonLines(changesFile, changeSink.read());
      files = { rejectsFile, rejectsTotal, changesFile, changesTotal, samples };
    }
    const summary = files
      ? await summarizeOutcomes(files.rejectsFile, files.changesFile, sp.resolved.tables)
      : undefined;
    const report = buildReport({
      ...(summary ? { summary } : {}),
      kind: 'dry-run',
      jobId: null,
      source: resolve(options.source),
      sourceCopy: null,
      targets,
      destinations: { postgres: null, mongo: null },
      sp,
      progress,
      verification: null,
      sourceRows,
      warnings: pf.sourceInfo.warnings,
      backup: null,
      resumed: false,
      files: files ?? {
        rejectsFile: '',
        rejectsTotal: rejectSink.count,
        changesFile: '',
        changesTotal: 0,
        samples,
      },
      reportDir,
      startedAt,
    });
    if (!reportDir) {
      report.rejectsFile = null;
      report.changesFile = null;
    } else {
      await writeReport(reportDir, report);
    }
    return report;
  } finally {
    source?.close();
    shadow?.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** JSON lines kept in a scratch file (or only counted, when nothing will be written). */
class LineSpill {
  count = 0;
  private readonly fd: number | null;

  constructor(private readonly file: string | undefined) {
    this.fd = file ? openSync(file, 'w') : null;
  }

  add(record: unknown): void {
    this.count++;
    if (this.fd !== null) writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  async *read(): AsyncGenerator<unknown> {
    if (this.fd === null || !this.file) return;
    closeSync(this.fd);
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line);
  }
}

type Verdict =
  | { kind: 'ok' }
  | { kind: 'duplicate' }
  | { kind: 'reject'; reason: 'duplicate key' | 'orphan'; column: string; message: string };

/**
 * The run's key checks against the rows accepted so far: per unique key a
 * table of key → row line; per foreign-key parent a table of parent keys.
 */
class KeyChecker {
  private readonly keys = new Map<
    ResolvedTable,
    {
      columns: number[];
      lower: boolean;
      find: Database.Statement;
      put: Database.Statement;
      label: string;
    }[]
  >();
  private readonly exports = new Map<
    ResolvedTable,
    { columns: number[]; put: Database.Statement }[]
  >();
  private readonly parents = new Map<
    ResolvedTable,
    { columns: number[]; find: Database.Statement; label: string; column: string }[]
  >();

  constructor(db: Database.Database, tables: readonly ResolvedTable[]) {
    let n = 0;
    const table = (): string => {
      const name = `k${n++}`;
      db.exec(`CREATE TABLE ${name} (k TEXT PRIMARY KEY, line TEXT) WITHOUT ROWID`);
      return name;
    };
    const byTarget = new Map(
      tables.flatMap((t) => (t.target.kind === 'postgres' ? [[t.target.table, t] as const] : [])),
    );
    for (const t of tables) {
      const index = (cols: readonly string[]): number[] =>
        cols.map((c) => t.outputColumns.indexOf(c));
      const list: {
        columns: number[];
        lower: boolean;
        find: Database.Statement;
        put: Database.Statement;
        label: string;
      }[] = [];
      const add = (cols: readonly string[], lower: boolean, label: string): void => {
        const name = table();
        list.push({
          columns: index(cols),
          lower,
          label,
          find: db.prepare(`SELECT line FROM ${name} WHERE k = ?`),
          put: db.prepare(`INSERT INTO ${name} (k, line) VALUES (?, ?)`),
        });
      };
      if (t.target.kind === 'postgres') {
        if (t.target.primaryKey.length > 0)
          add(t.target.primaryKey, false, `primary key (${t.target.primaryKey.join(', ')})`);
        for (const u of t.target.uniqueKeys)
          add(
            u.columns,
            u.normalize === 'lower',
            `${u.normalize === 'lower' ? 'case-insensitive ' : ''}unique key (${u.columns.join(', ')})`,
          );
        for (const fk of t.target.foreignKeys) {
          const parent = byTarget.get(fk.references.table);
          if (!parent || tables.indexOf(parent) > tables.indexOf(t)) continue; // cycle: not checked during the load
          const name = table();
          const exportList = this.exports.get(parent) ?? [];
          exportList.push({
            columns: fk.references.columns.map((c) => parent.outputColumns.indexOf(c)),
            put: db.prepare(`INSERT OR IGNORE INTO ${name} (k) VALUES (?)`),
          });
          this.exports.set(parent, exportList);
          const parents = this.parents.get(t) ?? [];
          parents.push({
            columns: index(fk.columns),
            find: db.prepare(`SELECT 1 FROM ${name} WHERE k = ?`),
            label: `${fk.references.table} (${fk.references.columns.join(', ')})`,
            column: fk.columns[0]!,
          });
          this.parents.set(t, parents);
        }
      } else {
        const id = t.target.idField;
        if (id) add([id], false, `_id (${id})`);
      }
      this.keys.set(t, list);
    }
  }

  check(table: ResolvedTable, values: readonly unknown[]): Verdict {
    const kinds = outputKinds(table);
    const keyOf = (cols: number[], lower = false): string | null => {
      const parts: string[] = [];
      for (const c of cols) {
        const v = values[c];
        if (v === null || v === undefined) return null;
        const text = copyValue(kinds[c]!, v);
        parts.push(lower ? text.toLowerCase() : text);
      }
      return parts.join('\t');
    };
    for (const fk of this.parents.get(table) ?? []) {
      const k = keyOf(fk.columns);
      if (k !== null && fk.find.get(k) === undefined) {
        return {
          kind: 'reject',
          reason: 'orphan',
          column: table.outputColumns[fk.columns[0]!]!,
          message: `no row in ${fk.label} would match: the parent is missing or would itself be rejected`,
        };
      }
    }
    const line =
      table.target.kind === 'mongo'
        ? docLine(
            table.outputColumns,
            Object.fromEntries(table.outputColumns.map((c, i) => [c, toDocValue(values[i])])),
          )
        : values.map((v, i) => copyValue(kinds[i]!, v)).join('\t');
    const keys = this.keys.get(table) ?? [];
    const found: { key: string; put: Database.Statement }[] = [];
    for (const k of keys) {
      const key = keyOf(k.columns, k.lower);
      if (key === null) continue;
      const other = k.find.get(key) as { line: string } | undefined;
      if (other) {
        if (
          other.line === line &&
          table.target.kind === 'postgres' &&
          table.target.dedupe === 'exact-duplicates'
        )
          return { kind: 'duplicate' };
        if (other.line === line && table.target.kind === 'mongo') return { kind: 'duplicate' };
        return {
          kind: 'reject',
          reason: 'duplicate key',
          column: table.outputColumns[k.columns[0]!]!,
          message: `${other.line === line ? 'identical to' : 'has the same ' + k.label + ' as'} a row migrated before it`,
        };
      }
      found.push({ key, put: k.put });
    }
    for (const f of found) f.put.run(f.key, line);
    for (const e of this.exports.get(table) ?? []) {
      const k = keyOf(e.columns);
      if (k !== null) e.put.run(k);
    }
    return { kind: 'ok' };
  }
}

/** Resolves after pending I/O callbacks have run (setImmediate is queued after them). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}
