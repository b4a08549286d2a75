/**
 * What the Backups screen shows, as plain data: one row per backup (its
 * integrity, whether it covers the setup in use now, what may be done with
 * it), what a backup of this setup holds, a running task's line, and the
 * schedule's words. Pure: backups.ts and backups-coverage.ts render it.
 */
import type { z } from 'zod';
import type { TaskSnapshotDto } from '../../shared-contract/common.js';
import type {
  backupListSchema,
  backupScheduleSchema,
} from '../../shared-contract/methods/backups.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';

export type BackupList = z.infer<typeof backupListSchema>;
export type BackupEntry = BackupList['backups'][number];
type Schedule = z.infer<typeof backupScheduleSchema>;

/** A badge: the status it is coloured by and its words. */
export interface Badge {
  status: string;
  text: string;
}

const PART_LABEL: Record<string, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
};

export const BACKUP_COLUMNS = [
  'Backup',
  'Created',
  'Size',
  'Contents',
  'Current setup',
  'Encrypted',
  'State',
  'Actions',
] as const;

export interface BackupRowModel {
  id: string;
  created: string;
  /** Why it was taken, when not by hand ("before a migration"). */
  why: string | null;
  size: string;
  contents: string;
  /** The "Current setup" cell: nothing for a damaged backup, else whether it covers the setup. */
  coverage: { badge: Badge; lacks: string | null } | null;
  encrypted: boolean;
  state: { badge: Badge; note: string | null };
  /** Null for a damaged backup ("cannot be used"). */
  actions: { restorable: boolean } | null;
}

/** Why a backup was taken, in the words of the Backups screen (manual backups need none). */
const REASON_WORDS: Record<string, string> = {
  'pre-migration': 'before a migration',
  'pre-restore': 'before a restore',
  scheduled: 'scheduled',
};

export function backupRow(b: BackupEntry): BackupRowModel {
  return {
    id: b.id,
    created: formatTime(b.createdAt),
    why: b.reason && b.reason !== 'manual' ? (REASON_WORDS[b.reason] ?? b.reason) : null,
    size: formatBytes(b.sizeBytes),
    contents: b.parts.map((p) => PART_LABEL[p] ?? p).join(', '),
    coverage: !b.intact
      ? null
      : b.covers
        ? { badge: { status: 'ok', text: 'Covers it' }, lacks: null }
        : {
            badge: { status: 'stopped', text: 'Earlier setup' },
            lacks: `Lacks: ${b.missing.map((m) => m.split(':')[0]).join(', ')}`,
          },
    encrypted: b.encrypted,
    state: !b.intact
      ? {
          badge: { status: 'down', text: 'Damaged' },
          note: b.problem ? forScreen(b.problem) : null,
        }
      : b.verifiedAt
        ? { badge: { status: 'ok', text: 'Verified' }, note: formatTime(b.verifiedAt) }
        : { badge: { status: 'unknown', text: 'Not verified yet' }, note: null },
    // A backup of an earlier setup has nothing for the databases in use now.
    actions: b.intact ? { restorable: b.covers } : null,
  };
}

/** The list's caption, or the empty state's hint when there is no backup yet. */
export function listWords(list: BackupList): { caption: string; emptyHint: string } {
  return { caption: `In ${list.dir}, newest first`, emptyHint: `They are written to ${list.dir}.` };
}

export interface CoverageLine {
  service: string;
  badge: Badge;
  text: string;
}

/** What a backup of the current setup holds, per service, including what is left out by design. */
export function coverageLines(list: BackupList): CoverageLine[] {
  return list.coverage.map((c) => ({
    service: c.service,
    badge: c.backedUp
      ? { status: 'ok', text: 'Backed up' }
      : { status: 'stopped', text: 'Not backed up' },
    text: c.text,
  }));
}

export interface TaskLineModel {
  state: TaskSnapshotDto['state'];
  /** "Backup — writing: postgres", "Backup — nova-2026…". */
  text: string;
  /** The progress bar, while it runs. */
  progress: { done: number; total: number | null } | null;
  /** It ended: announce it and reload the list. */
  finished: boolean;
}

/** Only backup, verify and restore tasks show on this screen. */
export function isBackupTask(task: TaskSnapshotDto): boolean {
  return task.kind.startsWith('backup');
}

export function taskLine(task: TaskSnapshotDto): TaskLineModel {
  const p = task.progress;
  const done =
    task.state === 'succeeded' ? (task.result as { name?: string } | undefined)?.name : undefined;
  return {
    state: task.state,
    text: ` ${task.title}${
      task.state === 'running'
        ? ` — ${p.phase}${p.item ? `: ${p.item}` : ''}`
        : done
          ? ` — ${done}`
          : ''
    }`,
    progress: task.state === 'running' ? { done: p.done, total: p.total } : null,
    finished: task.state !== 'running' && task.state !== 'pending',
  };
}

export function nextBackupText(schedule: Pick<Schedule, 'nextAt'>): string {
  return schedule.nextAt ? `Next backup: ${formatTime(schedule.nextAt)}` : 'No scheduled backups.';
}

export function scheduleSavedText(saved: Pick<Schedule, 'intervalHours'>): string {
  return saved.intervalHours > 0
    ? `Saved: every ${saved.intervalHours} h.`
    : 'Saved: scheduled backups are off.';
}
