/**
 * What the "Target database" panel says, as plain data from the target
 * check: whether there is a PostgreSQL to write into, the verdict badge,
 * and each thing that needs a decision (a stopped attempt, a completed
 * migration, another migration recorded there, tables that hold rows) with
 * what is offered for it. Pure: target-panel.ts draws it and wires the
 * actions.
 */
import type { TargetCheckDto } from '../../../shared-contract/methods/migration-wizard.js';
import { formatCount, formatTime, plural } from '../../lib/format.js';

export interface OccupiedModel {
  /** The Empty button's words, and what its typed confirmation says is deleted. */
  emptyLabel: string;
  emptyConfirm: string;
  items: { table: string; rows: string }[];
  /** "Keep their rows" is offered until it is chosen. */
  offerKeep: boolean;
}

export type TargetPanelModel =
  | { kind: 'no-target' }
  | {
      kind: 'target';
      target: string;
      badge: { status: 'ok' | 'degraded' | 'down'; label: string };
      skipExistingHint: boolean;
      /** A stopped attempt of this file: what happened (Resume and Discard are offered). */
      unfinished: string | null;
      completed: boolean;
      blockers: string[];
      occupied: OccupiedModel | null;
    };

export function targetPanelModel(c: TargetCheckDto): TargetPanelModel {
  if (!c.target) return { kind: 'no-target' };
  return {
    kind: 'target',
    target: c.target,
    // "Ready" only when Start is offered (run-start-model.ts): the check is also
    // ready for a stopped attempt, which can be resumed but needs Resume or Discard.
    badge:
      c.ready && c.attempt.status === 'none'
        ? { status: 'ok', label: 'Ready' }
        : {
            status: c.attempt.status === 'unfinished' ? 'degraded' : 'down',
            label: 'Needs a decision',
          },
    skipExistingHint: c.skipExisting,
    unfinished:
      c.attempt.status === 'unfinished'
        ? `A run of this file started ${formatTime(c.attempt.startedAt)} and stopped before it finished. Resume continues where it stopped, without losing or doubling a row.`
        : null,
    completed: c.attempt.status === 'completed',
    blockers: c.blockers,
    occupied: c.occupied.length
      ? {
          emptyLabel: `Empty ${plural(c.occupied.length, 'table')}`,
          emptyConfirm: `Every row of ${c.occupied.map((o) => o.table).join(', ')} in ${c.target} is deleted. The run backs the target up before it writes, but rows deleted now are not in that backup.`,
          items: c.occupied.map((o) => ({
            table: o.table,
            rows: ` — ${formatCount(o.rows)} rows`,
          })),
          offerKeep: !c.skipExisting,
        }
      : null,
  };
}
