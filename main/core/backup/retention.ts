/**
 * Which backups to keep (main/core/backup/README.md): the newest N, the newest of each of the
 * last D days, the newest of each of the last W weeks — and never the newest
 * verified backup, nor the newest backup at all, whatever the numbers say.
 * Pure over a list and a clock, so the rules are tested with a fake clock;
 * applyRetention() is the thin part that deletes folders.
 *
 * Days and weeks are UTC calendar days and ISO weeks (Monday first), so the
 * decision does not depend on the machine's time zone.
 */
import { deleteBackup, listBackups } from './backup-store.js';

export interface RetentionPolicy {
  keepLast: number;
  keepDaily: number;
  keepWeekly: number;
}

export interface RetentionItem {
  id: string;
  at: Date;
  /** A verify succeeded for this backup. */
  verified: boolean;
}

export type KeepReason = 'newest' | 'last-n' | 'daily' | 'weekly' | 'newest-verified';

export interface RetentionPlan {
  keep: { id: string; reasons: KeepReason[] }[];
  remove: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

function dayNumber(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

/** Days since 1970-01-05, a Monday, divided into weeks: the ISO week bucket. */
function weekNumber(at: Date): number {
  return Math.floor((dayNumber(at) - 4) / 7);
}

function checkPolicy(policy: RetentionPolicy): void {
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Retention ${key} must be a whole number ≥ 0, got ${String(value)}.`);
    }
  }
}

export function planRetention(
  items: readonly RetentionItem[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan {
  checkPolicy(policy);
  const sorted = [...items].sort(
    (a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1),
  );
  const reasons = new Map<string, KeepReason[]>(sorted.map((i) => [i.id, []]));
  const keep = (id: string, why: KeepReason) => reasons.get(id)!.push(why);

  if (sorted[0]) keep(sorted[0].id, 'newest');
  const newestVerified = sorted.find((i) => i.verified);
  if (newestVerified) keep(newestVerified.id, 'newest-verified');
  for (const item of sorted.slice(0, policy.keepLast)) keep(item.id, 'last-n');

  const today = dayNumber(now);
  const thisWeek = weekNumber(now);
  const seenDays = new Set<number>();
  const seenWeeks = new Set<number>();
  // Newest first, so the first backup met in a bucket is that bucket's newest.
  for (const item of sorted) {
    const day = dayNumber(item.at);
    if (today - day < policy.keepDaily && !seenDays.has(day)) {
      seenDays.add(day);
      keep(item.id, 'daily');
    }
    const week = weekNumber(item.at);
    if (thisWeek - week < policy.keepWeekly && !seenWeeks.has(week)) {
      seenWeeks.add(week);
      keep(item.id, 'weekly');
    }
  }

  const plan: RetentionPlan = { keep: [], remove: [] };
  for (const item of sorted) {
    const why = reasons.get(item.id)!;
    if (why.length > 0) plan.keep.push({ id: item.id, reasons: why });
    else plan.remove.push(item.id);
  }
  return plan;
}

/** Lists the backup folder, plans, and deletes what the plan removes. Returns the plan. */
export async function applyRetention(
  backupDir: string,
  policy: RetentionPolicy,
  now: Date,
): Promise<RetentionPlan> {
  const { backups } = await listBackups(backupDir);
  const plan = planRetention(
    backups.map((b) => ({
      id: b.name,
      at: new Date(b.manifest.createdAt),
      verified: b.verified !== null,
    })),
    policy,
    now,
  );
  const byName = new Map(backups.map((b) => [b.name, b]));
  for (const name of plan.remove) await deleteBackup(byName.get(name)!.path);
  return plan;
}
