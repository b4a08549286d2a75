/**
 * The state a migration job keeps so that a crash or kill at any point can be
 * resumed exactly: per table, how far the load got (the cursor of the last
 * committed row), the counts and the running source checksum at that point,
 * and one outcome record per row that was not migrated as-is (rejected,
 * merged as a duplicate) or whose values had to change.
 *
 * PostgreSQL tables keep this state in the target database, updated in the
 * same transaction as each batch (pg-job-state.ts); MongoDB tables keep it in
 * a SQLite file in the job directory (local-job-state.ts).
 */
import type { SourceCursor } from './source-reader.js';

/** pending → loading → loaded → indexed (keys/indexes/sequences done) → verified. */
export type TablePhase = 'pending' | 'loading' | 'loaded' | 'indexed' | 'verified';

export interface TableCounts {
  migrated: number;
  duplicates: number;
  rejected: number;
  /** Values altered to fit (each recorded with its original). */
  changed: number;
}

export interface TableProgress extends TableCounts {
  source: string;
  phase: TablePhase;
  cursor: SourceCursor | null;
  /**
   * Sum of the signed 64-bit prefixes of md5(COPY line) over the migrated
   * rows, as a decimal string (see pg-text.ts and verify.ts).
   */
  checksum: string;
  /**
   * Target rows that existed before the job touched the table (e.g. seeded
   * roles), by key text; a key leaves the list when a source row claims it.
   * Verification leaves the remaining ones out of the target's checksum.
   */
  preexisting: string[];
  /**
   * Target columns in which some migrated value needed COPY escaping (a
   * backslash, tab, newline or carriage return), or null when that is not
   * known. Verification fully escapes only these columns when it rebuilds
   * each row's line in SQL (pg-line-sql.ts), the others only their
   * backslashes: the four nested replace() calls per column are most of the
   * cost of checksumming a large table.
   */
  escaped: string[] | null;
}

export type OutcomeKind = 'rejected' | 'duplicate' | 'changed' | 'applied';

/** One outcome row: `seq` tells apart several changes of the same row. */
export interface OutcomeRecord {
  key: string;
  kind: OutcomeKind;
  seq: number;
  record: Record<string, unknown>;
}

/** What a batch adds to its table's progress. */
export interface BatchDelta extends TableCounts {
  cursor: SourceCursor;
  /** Checksum contribution of the batch's migrated rows. */
  checksum: bigint;
  /** Pre-existing keys claimed by rows of this batch. */
  claimed: string[];
  /** Columns in which a value of this batch (or an earlier one) needed escaping. */
  escaped: readonly string[];
}

export function emptyProgress(source: string): TableProgress {
  return {
    source,
    phase: 'pending',
    cursor: null,
    migrated: 0,
    duplicates: 0,
    rejected: 0,
    changed: 0,
    checksum: '0',
    preexisting: [],
    escaped: [],
  };
}

/** `progress` advanced by `delta` (pure; what the stores persist). */
export function applyDelta(progress: TableProgress, delta: BatchDelta): TableProgress {
  const claimed = new Set(delta.claimed);
  return {
    ...progress,
    phase: 'loading',
    cursor: delta.cursor,
    migrated: progress.migrated + delta.migrated,
    duplicates: progress.duplicates + delta.duplicates,
    rejected: progress.rejected + delta.rejected,
    changed: progress.changed + delta.changed,
    checksum: (BigInt(progress.checksum) + delta.checksum).toString(),
    preexisting: progress.preexisting.filter((k) => !claimed.has(k)),
    escaped: mergeEscaped(progress.escaped, delta.escaped),
  };
}

/** The union of the columns that needed escaping; unknown (null) stays unknown. */
export function mergeEscaped(
  known: readonly string[] | null | undefined,
  more: readonly string[],
): string[] | null {
  // undefined: progress recorded before escapes were tracked.
  if (known === null || known === undefined) return null;
  return [...new Set([...known, ...more])].sort();
}
