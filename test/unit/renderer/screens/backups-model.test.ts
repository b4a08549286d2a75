/**
 * The Backups view-models: a row per backup (damaged ones cannot be used,
 * a backup of an earlier setup cannot be restored and says what it lacks),
 * the coverage of this setup, a task's line, and the schedule's words.
 */
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../../../renderer/lib/format.js';
import {
  backupRow,
  coverageLines,
  isBackupTask,
  listWords,
  nextBackupText,
  scheduleSavedText,
  taskLine,
  type BackupEntry,
  type BackupList,
} from '../../../../renderer/screens/backups-model.js';
import type { TaskSnapshotDto } from '../../../../shared-contract/common.js';

const entry = (extra: Partial<BackupEntry>): BackupEntry => ({
  id: 'nova-2026-01-10',
  path: '/b/nova-2026-01-10',
  createdAt: '2026-01-10T10:00:00.000Z',
  reason: 'manual',
  sizeBytes: 1536,
  encrypted: false,
  parts: ['postgres', 'mongo'],
  intact: true,
  verifiedAt: null,
  covers: true,
  missing: [],
  ...extra,
});

describe('backup rows', () => {
  it('a good backup of this setup: its facts, "Covers it", verify and restore offered', () => {
    expect(backupRow(entry({ verifiedAt: '2026-01-10T11:00:00.000Z' }))).toEqual({
      id: 'nova-2026-01-10',
      created: formatTime('2026-01-10T10:00:00.000Z'),
      why: null,
      size: '1.5 KiB',
      contents: 'PostgreSQL, MongoDB',
      coverage: { badge: { status: 'ok', text: 'Covers it' }, lacks: null },
      encrypted: false,
      state: {
        badge: { status: 'ok', text: 'Verified' },
        note: formatTime('2026-01-10T11:00:00.000Z'),
      },
      actions: { restorable: true },
    });
  });

  it('a backup of an earlier setup: what it lacks, not restorable', () => {
    const row = backupRow(
      entry({
        parts: ['sqlite'],
        covers: false,
        missing: ['postgres: relational data'],
        reason: 'pre-migration',
      }),
    );
    expect(row.contents).toBe('SQLite');
    expect(row.why).toBe('before a migration');
    expect(backupRow(entry({ reason: 'pre-restore' })).why).toBe('before a restore');
    expect(backupRow(entry({ reason: 'manual' })).why).toBeNull();
    expect(row.coverage).toEqual({
      badge: { status: 'stopped', text: 'Earlier setup' },
      lacks: 'Lacks: postgres',
    });
    expect(row.state.badge).toEqual({ status: 'unknown', text: 'Not verified yet' });
    expect(row.actions).toEqual({ restorable: false });
  });

  it('a damaged backup: why, worded for the screen, and no action', () => {
    const row = backupRow(
      entry({
        intact: false,
        problem: 'Checksum mismatch; run nova-db verify.',
        reason: 'scheduled',
      }),
    );
    expect(row.why).toBe('scheduled');
    expect(row.coverage).toBeNull();
    expect(row.state).toEqual({
      badge: { status: 'down', text: 'Damaged' },
      note: 'Checksum mismatch; run Verify on the Backups screen.',
    });
    expect(row.actions).toBeNull();
  });
});

describe('list, coverage and schedule words', () => {
  const list: BackupList = {
    dir: '/var/backups/nova',
    backups: [],
    coverage: [
      {
        service: 'postgres',
        role: 'relational data',
        backedUp: true,
        text: 'PostgreSQL: all tables',
      },
      { service: 'redis', role: 'cache', backedUp: false, text: 'Redis: cache, not backed up' },
    ],
    schedule: { intervalHours: 0, keepLast: 3, keepDaily: 7, keepWeekly: 4, nextAt: null },
  };

  it('says where backups are written', () => {
    expect(listWords(list)).toEqual({
      caption: 'In /var/backups/nova, newest first',
      emptyHint: 'They are written to /var/backups/nova.',
    });
  });

  it('shows the cache as deliberately not backed up', () => {
    expect(coverageLines(list).map((c) => [c.service, c.badge.text])).toEqual([
      ['postgres', 'Backed up'],
      ['redis', 'Not backed up'],
    ]);
  });

  it('schedule on and off', () => {
    expect(nextBackupText({ nextAt: null })).toBe('No scheduled backups.');
    expect(nextBackupText({ nextAt: '2026-01-10T12:00:00.000Z' })).toBe(
      `Next backup: ${formatTime('2026-01-10T12:00:00.000Z')}`,
    );
    expect(scheduleSavedText({ intervalHours: 0 })).toBe('Saved: scheduled backups are off.');
    expect(scheduleSavedText({ intervalHours: 6 })).toBe('Saved: every 6 h.');
  });
});

describe('task lines', () => {
  const task = (extra: Partial<TaskSnapshotDto>): TaskSnapshotDto => ({
    id: 't1',
    kind: 'backup.run',
    title: 'Backup',
    state: 'running',
    progress: {
      phase: 'writing',
      item: 'postgres',
      done: 2,
      total: 5,
      rate: null,
      etaSeconds: null,
    },
    startedAt: null,
    finishedAt: null,
    ...extra,
  });

  it('running: phase and item, with progress', () => {
    expect(taskLine(task({}))).toEqual({
      state: 'running',
      text: ' Backup — writing: postgres',
      progress: { done: 2, total: 5 },
      finished: false,
    });
  });

  it('succeeded: the backup name; finished so the list reloads', () => {
    expect(taskLine(task({ state: 'succeeded', result: { name: 'nova-1' } }))).toMatchObject({
      text: ' Backup — nova-1',
      progress: null,
      finished: true,
    });
    expect(taskLine(task({ state: 'pending' })).finished).toBe(false);
  });

  it('only backup tasks belong on this screen', () => {
    expect(isBackupTask(task({}))).toBe(true);
    expect(isBackupTask(task({ kind: 'migration.run' }))).toBe(false);
  });
});
