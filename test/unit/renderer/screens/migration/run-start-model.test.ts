/**
 * Around the run: Start only on a ready target with no attempt recorded,
 * Back to the report when there is one, and after a stop the right notice
 * (cancelled vs failed, run vs dry run) and whether Resume is offered.
 */
import { describe, expect, it } from 'vitest';
import type { TaskSnapshotDto } from '../../../../../shared-contract/common.js';
import type { TargetCheckDto } from '../../../../../shared-contract/methods/migration-wizard.js';
import {
  endAnnouncement,
  startBack,
  startButton,
  stoppedModel,
} from '../../../../../renderer/screens/migration/run-start-model.js';

const check = (over: Partial<TargetCheckDto> = {}): TargetCheckDto => ({
  target: 'postgres://db/nova',
  ready: true,
  occupied: [],
  blockers: [],
  attempt: { status: 'none', startedAt: null },
  skipExisting: false,
  ...over,
});
const task = (state: TaskSnapshotDto['state'], extra: Partial<TaskSnapshotDto> = {}) =>
  ({
    id: 't',
    kind: 'migration.run',
    title: 'Run',
    state,
    progress: { phase: 'load', done: 0, total: null, rate: null, etaSeconds: null },
    startedAt: null,
    finishedAt: null,
    ...extra,
  }) satisfies TaskSnapshotDto;

describe('Start', () => {
  it('offered on a ready target with no attempt; otherwise disabled with the reason', () => {
    expect(startButton(check())).toEqual({ disabled: false, title: '' });
    const why = 'Decide about the target database above first.';
    expect(startButton(check({ ready: false }))).toEqual({ disabled: true, title: why });
    // A stopped attempt is resumed or discarded, not started over.
    expect(
      startButton(check({ attempt: { status: 'unfinished', startedAt: '2024-01-01T00:00:00Z' } })),
    ).toEqual({ disabled: true, title: why });
    expect(startButton(check({ attempt: { status: 'completed', startedAt: null } }))).toEqual({
      disabled: true,
      title: why,
    });
  });

  it('Back goes to the dry run’s report when there is one, else to the plan', () => {
    expect(startBack(true)).toEqual({ text: 'Back to the report', step: 'report' });
    expect(startBack(false)).toEqual({ text: 'Back to the plan', step: 'plan' });
  });
});

describe('after the task', () => {
  it('announces how it ended, for the kind of run', () => {
    expect(endAnnouncement('dry-run', task('succeeded'))).toBe('Dry run finished');
    expect(endAnnouncement('run', task('cancelled'))).toBe('Migration cancelled');
    expect(endAnnouncement('run', task('failed'))).toBe('Migration failed');
  });

  it('a cancelled run keeps its checkpoint and offers Resume; a cancelled dry run just says so', () => {
    expect(stoppedModel('run', task('cancelled'))).toEqual({
      notice: {
        kind: 'cancelled',
        text: 'The migration was cancelled; its checkpoint is kept, so Resume continues where it stopped.',
      },
      offerResume: true,
    });
    expect(stoppedModel('dry-run', task('cancelled'))).toEqual({
      notice: { kind: 'cancelled', text: 'The dry run was cancelled.' },
      offerResume: false,
    });
  });

  it('a failure shows the task’s error, or a generic one when it carries none', () => {
    const error = { name: 'NovaError', code: 'TARGET_BUSY', message: 'busy', fix: 'wait' };
    expect(stoppedModel('run', task('failed', { error })).notice).toEqual({
      kind: 'failed',
      error,
    });
    expect(stoppedModel('dry-run', task('failed')).notice).toEqual({
      kind: 'failed',
      error: { name: 'Error', code: 'INTERNAL', message: 'The task failed.' },
    });
  });
});
