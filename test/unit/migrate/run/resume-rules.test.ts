/**
 * Whether a migration run may start or resume the job in its directory:
 * each refusal names what is in the way and the way forward, and nothing
 * else is decided here.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../../main/core/errors.js';
import type { LocalJobRecord } from '../../../../main/core/migrate/run/local-job-state.js';
import {
  checkJobState,
  copyMissing,
  planChanged,
} from '../../../../main/core/migrate/run/resume-rules.js';
import { requireUrl } from '../../../../main/core/migrate/run/target-urls.js';

const jobDir = '/reports/legacy';
const job = (status: LocalJobRecord['status']): LocalJobRecord => ({
  id: 'j1',
  sourceFile: resolve('legacy.sqlite'),
  snapshotFile: '/reports/legacy/source.sqlite',
  planName: 'builtin',
  planHash: 'abc',
  planSource: 'builtin',
  targets: ['postgres'],
  hash: 'md5',
  backup: null,
  status,
  startedAt: '2026-01-10T10:00:00.000Z',
  finishedAt: status === 'completed' ? '2026-01-10T10:05:00.000Z' : null,
});

function refusal(run: () => unknown): { code: string; message: string; fix: string } {
  try {
    run();
  } catch (err) {
    if (isNovaError(err)) return { code: err.code, message: err.message, fix: err.fix ?? '' };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('checkJobState', () => {
  it('a fresh directory starts; an unfinished job resumes with --resume', () => {
    expect(checkJobState(null, { source: 'legacy.sqlite' }, jobDir)).toBe(false);
    expect(checkJobState(job('running'), { source: 'legacy.sqlite', resume: true }, jobDir)).toBe(
      true,
    );
    expect(checkJobState(job('failed'), { source: 'legacy.sqlite', resume: true }, jobDir)).toBe(
      true,
    );
  });

  it('--resume with nothing to resume', () => {
    const r = refusal(() => checkJobState(null, { source: 'legacy.sqlite', resume: true }, jobDir));
    expect(r.code).toBe('INVALID_ARGUMENT');
    expect(r.message).toBe('There is no migration to resume in /reports/legacy.');
    expect(r.fix).toMatch(/without --resume/);
  });

  it('--resume of another source names the source the job is of', () => {
    const r = refusal(() =>
      checkJobState(job('running'), { source: 'other.sqlite', resume: true }, jobDir),
    );
    expect(r.message).toContain(
      `is of ${resolve('legacy.sqlite')}, not ${resolve('other.sqlite')}`,
    );
    expect(r.fix).toContain(`--source ${resolve('legacy.sqlite')}`);
  });

  it('an unfinished job in the way of a new run: resume it or choose another directory', () => {
    const r = refusal(() => checkJobState(job('running'), { source: 'legacy.sqlite' }, jobDir));
    expect(r.message).toMatch(/^An unfinished migration of .* is in \/reports\/legacy\.$/);
    expect(r.fix).toMatch(/Add --resume/);
  });

  it('a finished job is never run again, with or without --resume, and points at its report', () => {
    for (const resume of [false, true]) {
      const r = refusal(() =>
        checkJobState(job('completed'), { source: 'legacy.sqlite', resume }, jobDir),
      );
      expect(r.message).toContain('was already migrated');
      expect(r.message).toContain('/reports/legacy/report.json');
    }
  });
});

describe('refusals of a resumed run and missing targets', () => {
  it('the source copy is gone; the plan changed', () => {
    expect(copyMissing('/reports/legacy/source.sqlite', jobDir)).toMatchObject({
      code: 'DB_MISSING',
    });
    expect(planChanged(jobDir).message).toMatch(/mix two mappings/);
  });

  it('a target URL is required for each kind the plan writes to', () => {
    expect(requireUrl('postgres://h/db', 'postgres')).toBe('postgres://h/db');
    expect(refusal(() => requireUrl(undefined, 'postgres'))).toMatchObject({
      code: 'CONFIG_INVALID',
      fix: expect.stringContaining('--postgres-url'),
    });
    expect(refusal(() => requireUrl('', 'mongo')).fix).toContain('--mongo-url');
  });
});
