/**
 * The target panel's model: no PostgreSQL, ready, and each case that needs
 * a decision (a stopped attempt, a completed one, a blocker, occupied
 * tables) with what is offered for it.
 */
import { describe, expect, it } from 'vitest';
import type { TargetCheckDto } from '../../../../../shared-contract/methods/migration-wizard.js';
import { targetPanelModel } from '../../../../../renderer/screens/migration/target-panel-model.js';

const check = (over: Partial<TargetCheckDto> = {}): TargetCheckDto => ({
  target: 'postgres://db:5432/nova',
  ready: true,
  occupied: [],
  blockers: [],
  attempt: { status: 'none', startedAt: null },
  skipExisting: false,
  ...over,
});
const occupied = [
  { table: 'users', source: 'Users', rows: 1200, message: '' },
  { table: 'roles', source: 'Roles', rows: 1, message: '' },
];

describe('target panel', () => {
  it('no PostgreSQL to write into', () => {
    expect(targetPanelModel(check({ target: null, ready: false }))).toEqual({ kind: 'no-target' });
  });

  it('ready: the badge says so and nothing needs a decision', () => {
    expect(targetPanelModel(check())).toEqual({
      kind: 'target',
      target: 'postgres://db:5432/nova',
      badge: { status: 'ok', label: 'Ready' },
      skipExistingHint: false,
      unfinished: null,
      completed: false,
      blockers: [],
      occupied: null,
    });
  });

  it('a stopped attempt: a warning (not an error) saying Resume continues it', () => {
    const m = targetPanelModel(
      check({ ready: false, attempt: { status: 'unfinished', startedAt: '2024-05-01T10:00:00Z' } }),
    );
    if (m.kind !== 'target') throw new Error('expected a target');
    expect(m.badge).toEqual({ status: 'degraded', label: 'Needs a decision' });
    expect(m.unfinished).toMatch(
      /^A run of this file started .*2024.* and stopped before it finished\. Resume continues/,
    );
  });

  it('a stopped attempt on a target otherwise ready (it can be resumed): a decision, not "Ready"', () => {
    const m = targetPanelModel(
      check({ ready: true, attempt: { status: 'unfinished', startedAt: '2024-05-01T10:00:00Z' } }),
    );
    if (m.kind !== 'target') throw new Error('expected a target');
    expect(m.badge).toEqual({ status: 'degraded', label: 'Needs a decision' });
    expect(m.unfinished).not.toBeNull();
  });

  it('completed, or blocked by another migration: down', () => {
    const done = targetPanelModel(
      check({ ready: false, attempt: { status: 'completed', startedAt: null } }),
    );
    expect(done).toMatchObject({ badge: { status: 'down' }, completed: true, unfinished: null });
    expect(
      targetPanelModel(check({ ready: false, blockers: ['Another migration wrote here.'] })),
    ).toMatchObject({ badge: { status: 'down' }, blockers: ['Another migration wrote here.'] });
  });

  it('occupied tables: Empty names them all; Keep is offered until chosen', () => {
    const m = targetPanelModel(check({ ready: false, occupied }));
    expect(m).toMatchObject({
      occupied: {
        emptyLabel: 'Empty 2 tables',
        emptyConfirm:
          'Every row of users, roles in postgres://db:5432/nova is deleted. The run backs the target up before it writes, but rows deleted now are not in that backup.',
        items: [
          { table: 'users', rows: ' — 1,200 rows' },
          { table: 'roles', rows: ' — 1 rows' },
        ],
        offerKeep: true,
      },
    });
    const kept = targetPanelModel(check({ occupied: occupied.slice(0, 1), skipExisting: true }));
    expect(kept).toMatchObject({
      skipExistingHint: true,
      occupied: { emptyLabel: 'Empty 1 table', offerKeep: false },
    });
  });
});
