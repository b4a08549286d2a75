/**
 * The wizard's own job: target check and what to do about a target that is
 * not empty, discarding a stopped attempt, rules, and the fix-it workflow
 * for rejected rows (migration-target.ts, migration-groups.ts,
 * migration-engine.ts startApplyRejects).
 */
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';
import { assertNoMigrationRunning, startApplyRejects } from '../migration-engine.js';
import { groupChanges, groupRejects, MAX_EDIT_LINES, rejectLines } from '../migration-groups.js';
import {
  checkTarget,
  discardAttempt,
  emptyOccupiedTables,
  useSkipExisting,
} from '../migration-target.js';

type WizardHandlers = Pick<
  Handlers,
  | 'migration.targetCheck'
  | 'migration.prepareTarget'
  | 'migration.discard'
  | 'migration.setRules'
  | 'migration.rejects'
  | 'migration.applyRejects'
>;

export function migrationWizardHandlers(rt: AppRuntime): WizardHandlers {
  return {
    'migration.targetCheck': async ({ sessionId }) => checkTarget(rt, rt.migrations.get(sessionId)),

    'migration.prepareTarget': async ({ sessionId, action, confirm }) => {
      const session = rt.migrations.get(sessionId);
      assertNoMigrationRunning(rt);
      if (action === 'empty-tables') await emptyOccupiedTables(rt, session, confirm);
      else await useSkipExisting(session);
      return checkTarget(rt, session);
    },

    'migration.discard': async ({ sessionId }) => {
      const session = rt.migrations.get(sessionId);
      assertNoMigrationRunning(rt);
      await discardAttempt(rt, session);
      return checkTarget(rt, session);
    },

    'migration.setRules': async ({ sessionId, rules }) => {
      const session = rt.migrations.get(sessionId);
      session.rules = rules;
      return { rules };
    },

    'migration.rejects': async ({ sessionId }) => {
      const report = rt.migrations.get(sessionId).lastReport;
      const lines = rejectLines(report?.rejectsFile);
      // The engine's groups know its rules best (which fixes are safe); counted again from
      // the file when they do not account for every line it holds.
      const engineGroups = report?.rejectGroups ?? [];
      const counted = engineGroups.reduce((n, g) => n + g.count, 0) === lines.length;
      return {
        applicable: report?.kind === 'run',
        total: lines.length,
        lines: lines.slice(0, MAX_EDIT_LINES),
        groups: counted && engineGroups.length ? engineGroups : groupRejects(lines),
        changeGroups: report?.changeGroups?.length
          ? report.changeGroups
          : groupChanges(report?.changesFile),
      };
    },

    'migration.applyRejects': async ({ sessionId, rules, edits }) => {
      const session = rt.migrations.get(sessionId);
      assertNoMigrationRunning(rt);
      const task = startApplyRejects(rt, session, { rules, edits });
      session.activeTaskId = task.id;
      return { taskId: task.id };
    },
  };
}
