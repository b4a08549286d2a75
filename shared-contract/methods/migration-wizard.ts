/**
 * `migration.*` methods with which the wizard owns its job: the target
 * check (is the database the run writes into ready for it?), what to do
 * when it is not, forgetting a stopped attempt, the rules, and the
 * fix-it workflow for rejected rows (grouped, edited, applied again).
 * The rule and group types are the engine's (migration.ts).
 */
import { z } from 'zod';
import { taskStartedSchema } from '../common.js';
import {
  applyRejectsInput,
  changeGroupSchema,
  rejectGroupSchema,
  setRulesInput,
  setRulesOutput,
} from './migration.js';

const sessionId = z.uuid();
const bySession = z.strictObject({ sessionId });

export const targetCheckSchema = z.object({
  /** Where the run writes (password hidden); null when there is no PostgreSQL to write into. */
  target: z.string().nullable(),
  /** The run can start: nothing in the target stops it. */
  ready: z.boolean(),
  /** Target tables that hold rows the run would refuse to write next to. */
  occupied: z.array(
    z.object({ table: z.string(), source: z.string(), rows: z.number(), message: z.string() }),
  ),
  /** Other migrations recorded in the target database that stop this one. */
  blockers: z.array(z.string()),
  /** This file's attempt kept on this machine (its checkpoint). */
  attempt: z.object({
    status: z.enum(['none', 'unfinished', 'completed']),
    startedAt: z.string().nullable(),
  }),
  /** Rows that already exist in the target are kept and the source's copy skipped. */
  skipExisting: z.boolean(),
});
export type TargetCheckDto = z.infer<typeof targetCheckSchema>;

export const prepareTargetInput = z.strictObject({
  sessionId,
  /** `empty-tables`: delete every row of the occupied tables; `skip-existing`: keep them and skip the source's. */
  action: z.enum(['empty-tables', 'skip-existing']),
  /** For `empty-tables`: the word EMPTY typed by the admin. */
  confirm: z.string().max(20).optional(),
});

export const rejectLineSchema = z.object({
  /** 1-based line of the rejects file. */
  line: z.number(),
  table: z.string(),
  key: z.string(),
  column: z.string(),
  original: z.string(),
  reason: z.string(),
  message: z.string().optional(),
  cascade: z.boolean().optional(),
  /** The whole source row as the rejects file holds it (what an edit replaces). */
  row: z.record(z.string(), z.unknown()),
});
export type RejectLineDto = z.infer<typeof rejectLineSchema>;

export const rejectsViewSchema = z.object({
  /** Only a finished run has rejects that can be applied again (a dry run wrote nothing). */
  applicable: z.boolean(),
  total: z.number(),
  /** The first lines (up to 1,000) for editing; the groups count every line. */
  lines: z.array(rejectLineSchema),
  groups: z.array(rejectGroupSchema),
  changeGroups: z.array(changeGroupSchema),
});
export type RejectsViewDto = z.infer<typeof rejectsViewSchema>;

export const migrationWizardMethods = {
  /** Whether the database the run writes into is ready for it. */
  'migration.targetCheck': { input: bySession, output: targetCheckSchema },
  'migration.prepareTarget': { input: prepareTargetInput, output: targetCheckSchema },
  /** Forgets a stopped attempt (its checkpoint here and its record in the target); writes no rows. */
  'migration.discard': { input: bySession, output: targetCheckSchema },
  'migration.setRules': { input: setRulesInput, output: setRulesOutput },
  /** The rejects of the latest report, grouped, with their rows for editing. */
  'migration.rejects': { input: bySession, output: rejectsViewSchema },
  /** Applies the rejects again, with the edits and rules given (a task; its report replaces the last). */
  'migration.applyRejects': { input: applyRejectsInput, output: taskStartedSchema },
} as const;
