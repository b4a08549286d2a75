/** Retention rules over a fake clock: keep-last, daily, weekly, and the backups that are never deleted. */
import { describe, expect, it } from 'vitest';
import { planRetention, type RetentionItem } from '../../../main/core/backup/retention.js';

const NOW = new Date('2025-03-12T15:00:00Z'); // a Wednesday
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function item(id: string, agoMs: number, verified = false): RetentionItem {
  return { id, at: new Date(NOW.getTime() - agoMs), verified };
}

describe('planRetention', () => {
  it('keeps the newest N and removes the rest when days and weeks are off', () => {
    const items = [
      item('a', 1 * HOUR),
      item('b', 2 * HOUR),
      item('c', 3 * HOUR),
      item('d', 4 * HOUR),
    ];
    const plan = planRetention(items, { keepLast: 2, keepDaily: 0, keepWeekly: 0 }, NOW);
    expect(plan.keep.map((k) => k.id)).toEqual(['a', 'b']);
    expect(plan.remove).toEqual(['c', 'd']);
  });

  it('keeps the newest backup of each of the last D calendar days (UTC)', () => {
    const items = [
      item('today-late', 1 * HOUR),
      item('today-early', 10 * HOUR),
      item('yesterday', 1 * DAY),
      item('yesterday-older', 1 * DAY + 2 * HOUR),
      item('two-days', 2 * DAY),
      item('three-days', 3 * DAY),
    ];
    const plan = planRetention(items, { keepLast: 0, keepDaily: 3, keepWeekly: 0 }, NOW);
    expect(plan.keep.map((k) => k.id)).toEqual(['today-late', 'yesterday', 'two-days']);
    expect(plan.remove).toEqual(['today-early', 'yesterday-older', 'three-days']);
  });

  it('keeps the newest backup of each of the last W ISO weeks (Monday first)', () => {
    const items = [
      item('this-week-mon', 2 * DAY + 14 * HOUR), // Monday 2025-03-10 01:00
      item('last-week-sun', 3 * DAY), // Sunday 2025-03-09
      item('last-week-mon', 9 * DAY),
      item('two-weeks-ago', 14 * DAY),
      item('three-weeks-ago', 21 * DAY),
    ];
    const plan = planRetention(items, { keepLast: 0, keepDaily: 0, keepWeekly: 3 }, NOW);
    expect(plan.keep.map((k) => k.id)).toEqual(['this-week-mon', 'last-week-sun', 'two-weeks-ago']);
    expect(plan.remove).toEqual(['last-week-mon', 'three-weeks-ago']);
  });

  it('never deletes the newest verified backup, nor the newest backup at all', () => {
    const items = [
      item('new-unverified', 1 * HOUR),
      item('old-verified', 60 * DAY, true),
      item('older-verified', 90 * DAY, true),
    ];
    const plan = planRetention(items, { keepLast: 0, keepDaily: 0, keepWeekly: 0 }, NOW);
    expect(plan.keep).toEqual([
      { id: 'new-unverified', reasons: ['newest'] },
      { id: 'old-verified', reasons: ['newest-verified'] },
    ]);
    expect(plan.remove).toEqual(['older-verified']);
  });

  it('gives every reason a backup is kept, and combines the rules', () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`d${i}`, i * DAY + HOUR, i === 12));
    const plan = planRetention(items, { keepLast: 2, keepDaily: 5, keepWeekly: 3 }, NOW);
    const kept = Object.fromEntries(plan.keep.map((k) => [k.id, k.reasons]));
    expect(kept.d0).toEqual(['newest', 'last-n', 'daily', 'weekly']);
    expect(kept.d1).toEqual(['last-n', 'daily']);
    expect(kept.d4).toEqual(['daily']);
    expect(kept.d3).toEqual(['daily', 'weekly']); // Sunday 2025-03-09: newest of last week
    expect(kept.d10).toEqual(['weekly']); // Sunday 2025-03-02: newest of the week before
    expect(kept.d12).toEqual(['newest-verified']);
    expect(plan.keep.length + plan.remove.length).toBe(30);
    expect(plan.remove).toContain('d5');
    expect(plan.remove).toContain('d29');
  });

  it('keeps nothing extra for an empty list and refuses a nonsensical policy', () => {
    expect(planRetention([], { keepLast: 3, keepDaily: 3, keepWeekly: 3 }, NOW)).toEqual({
      keep: [],
      remove: [],
    });
    expect(() => planRetention([], { keepLast: -1, keepDaily: 0, keepWeekly: 0 }, NOW)).toThrow(
      /keepLast must be a whole number/,
    );
    expect(() => planRetention([], { keepLast: 1.5, keepDaily: 0, keepWeekly: 0 }, NOW)).toThrow(
      RangeError,
    );
  });
});
