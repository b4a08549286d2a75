/**
 * Whether this run may start or resume the migration job in its directory,
 * and the refusals that say why not: nothing to resume, another source,
 * already finished, an unfinished job in the way, the source copy gone, or
 * the plan changed since the job began.
 */
import { join, resolve } from 'node:path';
import { NovaError } from '../../errors.js';
import type { LocalJobRecord } from './local-job-state.js';

/** Whether this run resumes; refuses a run that would clash with the job already in the directory. */
export function checkJobState(
  job: LocalJobRecord | null,
  options: { resume?: boolean | undefined; source: string },
  jobDir: string,
): boolean {
  if (options.resume) {
    if (!job) {
      throw new NovaError('INVALID_ARGUMENT', `There is no migration to resume in ${jobDir}.`, {
        fix: 'Run the migration without --resume to start it (or point --report at the directory of the interrupted run).',
      });
    }
    if (job.status === 'completed') throw alreadyDone(job, jobDir);
    if (resolve(options.source) !== job.sourceFile) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The migration in ${jobDir} is of ${job.sourceFile}, not ${resolve(options.source)}.`,
        {
          fix: `Resume it with --source ${job.sourceFile}, or choose another --report directory for a new migration.`,
        },
      );
    }
    return true;
  }
  if (job?.status === 'completed') throw alreadyDone(job, jobDir);
  if (job) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `An unfinished migration of ${job.sourceFile} (started ${job.startedAt}) is in ${jobDir}.`,
      {
        fix: 'Add --resume to finish it (nothing is lost or doubled), or choose another --report directory to start over.',
      },
    );
  }
  return false;
}

function alreadyDone(job: LocalJobRecord, jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `${job.sourceFile} was already migrated by the job in ${jobDir} (finished ${job.finishedAt ?? '?'}); its report is ${join(jobDir, 'report.json')}.`,
    {
      fix: 'To migrate again, use a fresh target database and another --report directory.',
    },
  );
}

/** The snapshot the job reads is gone: it cannot be resumed. */
export function copyMissing(snapshot: string, jobDir: string): NovaError {
  return new NovaError(
    'DB_MISSING',
    `The copy of the source this migration reads (${snapshot}) is gone, so the job in ${jobDir} cannot be resumed.`,
    {
      fix: 'Start over: empty the target database and run the migration with another --report directory.',
    },
  );
}

/** Resuming with another plan would mix two mappings. */
export function planChanged(jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `The plan or its rules differ from the ones the interrupted migration in ${jobDir} started with; resuming with others would mix two mappings.`,
    {
      fix: "Resume with the same --plan file and the same rules as the first run (unchanged; a resume without rule flags reuses the first run's), or start over with a fresh target and another --report directory.",
    },
  );
}
