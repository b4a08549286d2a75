/**
 * The job directory's own state (see job-types.ts): `job-state.sqlite` holds
 * the job record every run needs to resume (which snapshot, which plan) and
 * the progress and outcomes of tables loaded into MongoDB, which has no
 * transaction to share with a checkpoint. A Mongo batch is inserted with
 * deterministic `_id`s first and checkpointed here after, so a batch redone
 * after a kill finds its documents already there (mongo-table-loader.ts).
 */
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
  BatchDelta,
  OutcomeKind,
  OutcomeRecord,
  TablePhase,
  TableProgress,
} from './job-types.js';
import { applyDelta, emptyProgress } from './job-types.js';
import type { HashKind } from './row-hash.js';
import type { MigrationRules } from '../rules.js';

/** The job as the job directory remembers it. */
export interface LocalJobRecord {
  id: string;
  sourceFile: string;
  snapshotFile: string;
  planName: string;
  /** sha256 of the resolved plan: a resumed run must load by the same plan. */
  planHash: string;
  /** The rules given to the run (CLI/wizard; the plan file's own are in the plan); a resume reuses them. */
  rules?: MigrationRules;
  /** Where the plan came from: 'builtin', 'auto', or the plan file's path. */
  planSource: string;
  targets: string[];
  /** The per-row hash of the content checksums (row-hash.ts), chosen when the job started. */
  hash: HashKind;
  /** The backup of the target taken before the first write, if one was made. */
  backup: string | null;
  status: 'running' | 'completed' | 'failed';
  /** The legacy files before the snapshot was taken (source-changes.ts); absent in older jobs. */
  sourceFingerprint?: SourceFingerprint | null;
  startedAt: string;
  finishedAt: string | null;
}

import type { SourceFingerprint } from './source-changes.js';

export const JOB_STATE_FILE = 'job-state.sqlite';

export class LocalJobState {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    chmodSync(file, 0o600);
    // The checkpoint must survive a power cut as well as a kill.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS job (id TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS progress (source_table TEXT PRIMARY KEY, state TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outcomes (
        source_table TEXT NOT NULL, row_key TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL,
        record TEXT NOT NULL, PRIMARY KEY (source_table, row_key, kind, seq));`);
  }

  job(): LocalJobRecord | null {
    const row = this.db.prepare('SELECT record FROM job').pluck().get() as string | undefined;
    return row === undefined ? null : (JSON.parse(row) as LocalJobRecord);
  }

  saveJob(record: LocalJobRecord): void {
    this.db
      .prepare(
        'INSERT INTO job (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
      )
      .run(record.id, JSON.stringify(record));
  }

  progress(source: string): TableProgress | null {
    const row = this.db
      .prepare('SELECT state FROM progress WHERE source_table = ?')
      .pluck()
      .get(source) as string | undefined;
    return row === undefined ? null : (JSON.parse(row) as TableProgress);
  }

  allProgress(): Map<string, TableProgress> {
    const rows = this.db.prepare('SELECT state FROM progress').pluck().all() as string[];
    return new Map(rows.map((r) => JSON.parse(r) as TableProgress).map((p) => [p.source, p]));
  }

  startTable(source: string, preexisting: string[] = []): TableProgress {
    const existing = this.progress(source);
    if (existing) return existing;
    const p: TableProgress = { ...emptyProgress(source), phase: 'loading', preexisting };
    this.put(p);
    return p;
  }

  setPhase(source: string, phase: TablePhase): void {
    const p = this.progress(source);
    if (p) this.put({ ...p, phase });
  }

  /** Checkpoints a batch and its outcomes atomically. */
  commitBatch(
    source: string,
    delta: BatchDelta,
    outcomes: readonly OutcomeRecord[],
  ): TableProgress {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO outcomes (source_table, row_key, kind, seq, record) VALUES (?, ?, ?, ?, ?)',
    );
    return this.db.transaction(() => {
      const next = applyDelta(this.progress(source) ?? emptyProgress(source), delta);
      for (const o of outcomes) insert.run(source, o.key, o.kind, o.seq, JSON.stringify(o.record));
      this.put(next);
      return next;
    })();
  }

  /** Outcome records of `kinds` in (table, key) order. */
  *outcomes(kinds: readonly OutcomeKind[]): Generator<{
    source: string;
    key: string;
    kind: OutcomeKind;
    seq: number;
    record: Record<string, unknown>;
  }> {
    const stmt = this.db.prepare(
      `SELECT source_table, row_key, kind, seq, record FROM outcomes
        WHERE kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY source_table, row_key, kind, seq`,
    );
    for (const r of stmt.iterate(...kinds) as Iterable<{
      source_table: string;
      row_key: string;
      kind: OutcomeKind;
      seq: number;
      record: string;
    }>) {
      yield {
        source: r.source_table,
        key: r.row_key,
        kind: r.kind,
        seq: r.seq,
        record: JSON.parse(r.record) as Record<string, unknown>,
      };
    }
  }

  /** A re-applied reject: rejected → applied, and the table's counts move with it. */
  markApplied(source: string, key: string, checksum: bigint, extra: Record<string, unknown>): void {
    this.db.transaction(() => {
      const row = this.db
        .prepare(
          "SELECT record FROM outcomes WHERE source_table = ? AND row_key = ? AND kind = 'rejected'",
        )
        .pluck()
        .get(source, key) as string | undefined;
      if (row === undefined) return;
      this.db
        .prepare(
          "UPDATE outcomes SET kind = 'applied', record = ? WHERE source_table = ? AND row_key = ? AND kind = 'rejected'",
        )
        .run(JSON.stringify({ ...(JSON.parse(row) as object), ...extra }), source, key);
      const p = this.progress(source)!;
      this.put({
        ...p,
        migrated: p.migrated + 1,
        rejected: p.rejected - 1,
        checksum: (BigInt(p.checksum) + checksum).toString(),
        phase: p.phase === 'verified' ? 'indexed' : p.phase,
      });
    })();
  }

  /** The kind of a row's outcome record ('rejected', 'applied'…), or null when it has none. */
  outcomeKind(source: string, key: string): OutcomeKind | null {
    const row = this.db
      .prepare(
        "SELECT kind FROM outcomes WHERE source_table = ? AND row_key = ? AND kind IN ('rejected', 'applied', 'duplicate')",
      )
      .pluck()
      .get(source, key) as OutcomeKind | undefined;
    return row ?? null;
  }

  /** Replaces a rejected row's record (an edit that is still refused, with the new reason). */
  updateRejected(source: string, key: string, record: Record<string, unknown>): void {
    this.db
      .prepare(
        "UPDATE outcomes SET record = ? WHERE source_table = ? AND row_key = ? AND kind = 'rejected'",
      )
      .run(JSON.stringify(record), source, key);
  }

  close(): void {
    this.db.close();
  }

  private put(p: TableProgress): void {
    this.db
      .prepare('INSERT OR REPLACE INTO progress (source_table, state) VALUES (?, ?)')
      .run(p.source, JSON.stringify(p));
  }
}
