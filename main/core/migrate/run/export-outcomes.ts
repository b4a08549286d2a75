/**
 * rejects.jsonl and changes.jsonl for a job: the outcome records kept in the
 * target PostgreSQL (tables loaded there) and in the job directory (tables
 * loaded into MongoDB), streamed page by page so memory stays flat however
 * many rows were rejected.
 */
import { join } from 'node:path';
import {
  CHANGES_FILE,
  MAX_REJECT_SAMPLES,
  REJECTS_FILE,
  writeJsonLines,
  type RejectSample,
} from '../report.js';
import type { OutcomeKind } from './job-types.js';
import type { LocalJobState } from './local-job-state.js';
import { readOutcomes } from './pg-job-state.js';
import type { MigrationPg } from './pg-session.js';

export interface ExportedOutcomes {
  rejectsFile: string;
  rejectsTotal: number;
  changesFile: string;
  changesTotal: number;
  samples: RejectSample[];
}

export async function exportOutcomes(
  dir: string,
  pg: MigrationPg | null,
  jobId: string,
  local: LocalJobState,
): Promise<ExportedOutcomes> {
  const samples: RejectSample[] = [];
  const rejectsFile = join(dir, REJECTS_FILE);
  const changesFile = join(dir, CHANGES_FILE);
  const rejectsTotal = await writeJsonLines(
    rejectsFile,
    tap(records(pg, jobId, local, 'rejected'), (r) => {
      if (samples.length < MAX_REJECT_SAMPLES) {
        samples.push({
          table: String(r.table),
          key: String(r.key),
          column: String(r.column),
          original: String(r.original),
          reason: String(r.reason),
          message: String(r.message),
          ...(r.cascade === true ? { cascade: true, parent: String(r.parent) } : {}),
        });
      }
    }),
  );
  const changesTotal = await writeJsonLines(changesFile, records(pg, jobId, local, 'changed'));
  return { rejectsFile, rejectsTotal, changesFile, changesTotal, samples };
}

async function* records(
  pg: MigrationPg | null,
  jobId: string,
  local: LocalJobState,
  kind: OutcomeKind,
): AsyncGenerator<Record<string, unknown>> {
  if (pg) {
    const client = await pg.connect();
    try {
      for await (const o of readOutcomes(client, jobId, [kind])) yield o.record;
    } finally {
      client.release();
    }
  }
  for (const o of local.outcomes([kind])) yield o.record;
}

async function* tap<T>(source: AsyncIterable<T>, fn: (item: T) => void): AsyncGenerator<T> {
  for await (const item of source) {
    fn(item);
    yield item;
  }
}
