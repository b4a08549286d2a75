/**
 * `migration.*`: the wizard's steps (main/core/migrate/README.md). A session is one source file
 * taken through preflight (a private snapshot) and inspect; every later step
 * names the session, so the wizard survives a reload and the legacy file is
 * read only once.
 */
import { z } from 'zod';
import {
  absolutePathSchema,
  taskIdSchema,
  taskSnapshotSchema,
  taskStartedSchema,
} from '../common.js';

const sessionId = z.uuid();
const bySession = z.strictObject({ sessionId });

export const inspectInput = z.strictObject({ file: absolutePathSchema });

export const inspectSummarySchema = z.object({
  sessionId: z.string(),
  file: z.string(),
  sizeBytes: z.number(),
  sqliteVersion: z.string(),
  journalMode: z.string(),
  /** Committed rows still in the -wal file; the snapshot includes them. */
  hasWal: z.boolean(),
  warnings: z.array(z.string()),
  /** `nova-legacy`: the built-in plan applies; `other`: an automatic plan is made. */
  kind: z.enum(['nova-legacy', 'other']),
  tables: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['table', 'virtual', 'shadow']),
      rows: z.number(),
      columns: z.number(),
      indexes: z.number(),
      foreignKeys: z.number(),
      /** Columns whose stored values do not match their declared type. */
      mixedColumns: z.array(z.string()),
    }),
  ),
  views: z.array(z.string()),
  triggers: z.array(z.string()),
});
export type InspectSummaryDto = z.infer<typeof inspectSummarySchema>;

export const planPreviewInput = z.strictObject({
  sessionId,
  /** A plan file (JSON) instead of the built-in or automatic plan. */
  planFile: absolutePathSchema.optional(),
});

export const planPreviewSchema = z.object({
  sessionId: z.string(),
  planName: z.string(),
  planOrigin: z.enum(['builtin', 'auto', 'file']),
  /** Where each kind of target lives right now (passwords redacted). */
  destinations: z.object({ postgres: z.string().nullable(), mongo: z.string().nullable() }),
  tables: z.array(
    z.object({
      source: z.string(),
      origin: z.enum(['plan', 'auto']),
      rows: z.number(),
      target: z.object({ kind: z.enum(['postgres', 'mongo']), name: z.string() }),
      columns: z.array(
        z.object({
          source: z.string(),
          target: z.string(),
          cast: z.string(),
          targetType: z.string(),
          nullable: z.boolean(),
        }),
      ),
      extra: z.object({ target: z.string(), sources: z.array(z.string()) }).nullable(),
    }),
  ),
  decisions: z.array(
    z.object({
      table: z.string(),
      column: z.string().optional(),
      decision: z.string(),
      reason: z.string(),
    }),
  ),
});
export type PlanPreviewDto = z.infer<typeof planPreviewSchema>;

/**
 * Rules: what the engine does instead of rejecting, per column, unique key or
 * table. No rule = reject (the default). Table and column names are the
 * legacy (source) names for values and orphans; a duplicate rule names the
 * target unique key's columns as the plan names them.
 */
export const valueRuleActionSchema = z.enum(['round', 'truncate', 'keep-in-extra', 'reject']);
export type ValueRuleAction = z.infer<typeof valueRuleActionSchema>;
export const duplicateActionSchema = z.enum(['keep-first-rename', 'merge', 'reject']);
export type DuplicateAction = z.infer<typeof duplicateActionSchema>;
export const orphanActionSchema = z.enum(['drop', 'reject']);
export type OrphanAction = z.infer<typeof orphanActionSchema>;

export const valueRuleSchema = z.strictObject({
  table: z.string().min(1),
  column: z.string().min(1),
  action: valueRuleActionSchema,
});
export const duplicateRuleSchema = z.strictObject({
  table: z.string().min(1),
  key: z.array(z.string().min(1)).min(1),
  action: duplicateActionSchema,
});
export const orphanRuleSchema = z.strictObject({
  table: z.string().min(1),
  action: orphanActionSchema,
});
export const migrationRulesSchema = z.strictObject({
  values: z.array(valueRuleSchema).default([]),
  duplicates: z.array(duplicateRuleSchema).default([]),
  orphans: z.array(orphanRuleSchema).default([]),
});
export type MigrationRules = z.output<typeof migrationRulesSchema>;
export type MigrationRulesInput = z.input<typeof migrationRulesSchema>;

/** The rule actions a reject group may offer as a one-click fix (never `reject`). */
export const fixActionSchema = z.enum([
  'round',
  'truncate',
  'keep-in-extra',
  'keep-first-rename',
  'merge',
  'drop',
]);
export type FixAction = z.infer<typeof fixActionSchema>;

/** Rejects grouped by table, column and reason (counted from the full rejects file). */
export const rejectGroupSchema = z.object({
  table: z.string(),
  column: z.string(),
  reason: z.string(),
  count: z.number(),
  /** Rejected only because a parent row was rejected. */
  cascade: z.boolean(),
  /** Up to 5 row keys. */
  examples: z.array(z.string()),
  /** Rule actions that would keep this group's rows (a one-click fix). */
  fixes: z.array(fixActionSchema),
  /** Duplicate-key groups: the unique key's target columns (the `key` of a duplicate rule). */
  key: z.array(z.string()).optional(),
});
export type RejectGroupDto = z.infer<typeof rejectGroupSchema>;

/** Changes (values changed to fit, rules applied) summarised by kind. */
export const changeGroupSchema = z.object({
  table: z.string(),
  column: z.string(),
  /** e.g. rounded, truncated, kept-in-extra, renamed-duplicate, merged-duplicate, dropped-orphan, timestamp-normalised. */
  kind: z.string(),
  count: z.number(),
  examples: z.array(z.object({ key: z.string(), from: z.string(), to: z.string() })),
});
export type ChangeGroupDto = z.infer<typeof changeGroupSchema>;

export const setRulesInput = z.strictObject({ sessionId, rules: migrationRulesSchema });
export const setRulesOutput = z.object({ rules: migrationRulesSchema });
export const applyRejectsInput = z.strictObject({
  sessionId,
  rules: migrationRulesSchema.optional(),
  /** Replacement rows for lines of the rejects file (1-based line numbers). */
  edits: z
    .array(
      z.strictObject({
        line: z.number().int().positive(),
        row: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
});

export const rejectSchema = z.object({
  table: z.string(),
  /** The row's key (primary key values or rowid) as text. */
  key: z.string(),
  column: z.string(),
  /** The original value, as text (blobs as hex). */
  original: z.string(),
  /** A short code (orphan, unparseable, duplicate key, not-null…). */
  reason: z.string(),
  /** The same in words, when the engine gives them. */
  message: z.string().optional(),
  /** Rejected because its parent row was rejected (not for a defect of its own). */
  cascade: z.boolean().optional(),
  /** The rejected parent, e.g. `users:42`. */
  parent: z.string().optional(),
});

export const tableReportSchema = z.object({
  source: z.number(),
  migrated: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  /** Values changed to fit (with their original kept in the report). */
  changed: z.number(),
  /** Of `rejected`, the rows rejected only because their parent was. */
  cascaded: z.number().optional(),
  /** Orphans left out by the drop rule (recorded as changes, not rejects); then source = migrated + duplicates + rejected + dropped. */
  dropped: z.number().optional(),
  /** Counts and checksums matched; null when not verified (dry run). */
  verified: z.boolean().nullable(),
  /** Where it went, e.g. `postgres:users`. */
  target: z.string().optional(),
  /** What verification found wrong. */
  problems: z.array(z.string()).optional(),
});

export const migrationReportSchema = z.object({
  sessionId: z.string(),
  kind: z.enum(['dry-run', 'run']),
  ok: z.boolean(),
  source: z.string(),
  target: z.string(),
  tables: z.record(z.string(), tableReportSchema),
  /** The first rejects (up to 200); the full list is in rejectsFile. */
  rejects: z.array(rejectSchema),
  rejectsTotal: z.number(),
  rejectsFile: z.string().nullable(),
  /** Every reject, grouped (with the one-click fixes per group). */
  rejectGroups: z.array(rejectGroupSchema).optional(),
  /** Every change, summarised by kind. */
  changeGroups: z.array(changeGroupSchema).optional(),
  /** The rules this run applied. */
  rules: migrationRulesSchema.optional(),
  /** Every value changed to fit, with its original (JSONL). */
  changesFile: z.string().nullable().optional(),
  /** report.json, report.txt and the JSONL files are here. */
  reportDir: z.string().nullable().optional(),
  /** The backup of the target taken before the run wrote anything. */
  backup: z.string().nullable().optional(),
  /** The run continued a cancelled or interrupted one. */
  resumed: z.boolean().optional(),
  warnings: z.array(z.string()).optional(),
  durationMs: z.number(),
});
export type MigrationReportDto = z.infer<typeof migrationReportSchema>;

export const migrationMethods = {
  'migration.inspect': { input: inspectInput, output: inspectSummarySchema },
  'migration.planPreview': { input: planPreviewInput, output: planPreviewSchema },
  'migration.dryRun': { input: bySession, output: taskStartedSchema },
  'migration.start': { input: bySession, output: taskStartedSchema },
  'migration.cancel': {
    input: z.strictObject({ taskId: taskIdSchema }),
    output: taskSnapshotSchema,
  },
  'migration.resume': { input: bySession, output: taskStartedSchema },
  /** The report of the session's latest dry run or run. */
  'migration.report': { input: bySession, output: migrationReportSchema },
} as const;
