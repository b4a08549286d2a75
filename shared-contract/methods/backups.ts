/** `backups.*`: list, run now, verify, restore (with confirmation) and the schedule (main/core/backup/README.md). */
import { z } from 'zod';
import { emptyInput, serviceNameSchema, taskStartedSchema } from '../common.js';

/** A backup is named by its directory/file name inside the backup dir, never by a free path. */
const backupId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a backup name from backups.list');

const passphrase = z.string().min(8, 'must be at least 8 characters').max(1024);

export const backupSummarySchema = z.object({
  id: z.string(),
  path: z.string(),
  createdAt: z.string().nullable(),
  /** manual, scheduled or pre-migration. */
  reason: z.string().nullable(),
  sizeBytes: z.number(),
  encrypted: z.boolean(),
  /** What it holds, e.g. ["sqlite"] or ["postgres", "mongo"]. */
  parts: z.array(z.string()),
  /** The manifest proved complete and undamaged (its own checksum); false for a damaged folder. */
  intact: z.boolean(),
  /** When a verify (checksums, decryption, trial restore) last succeeded; null when never. */
  verifiedAt: z.string().nullable(),
  /** Why a damaged backup cannot be used. */
  problem: z.string().optional(),
  /** It holds everything the current setup keeps data in (only such backups count as the last good one). */
  covers: z.boolean(),
  /** What it lacks for the current setup, in words; empty when it covers it. */
  missing: z.array(z.string()),
});

/** What the current setup needs from a backup, per service. */
export const backupCoverageSchema = z.object({
  service: serviceNameSchema,
  role: z.enum(['relational data', 'documents', 'cache']),
  /** False for the cache: it is rebuilt from the databases, never backed up. */
  backedUp: z.boolean(),
  text: z.string(),
});

export const backupScheduleSchema = z.object({
  /** Hours between scheduled backups; 0 = off. */
  intervalHours: z
    .number()
    .min(0)
    .max(24 * 365),
  keepLast: z.number().int().min(0).max(1000),
  keepDaily: z.number().int().min(0).max(1000),
  keepWeekly: z.number().int().min(0).max(1000),
  nextAt: z.string().nullable(),
});

export const backupListSchema = z.object({
  dir: z.string(),
  backups: z.array(backupSummarySchema),
  coverage: z.array(backupCoverageSchema),
  schedule: backupScheduleSchema,
});

export const backupRunInput = z
  .strictObject({
    encrypt: z.boolean().default(false),
    passphrase: passphrase.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.encrypt && !v.passphrase)
      ctx.addIssue({
        code: 'custom',
        path: ['passphrase'],
        message: 'is required to encrypt a backup',
      });
  });

export const backupRestoreInput = z
  .strictObject({
    id: backupId,
    /** Must repeat the id: restoring replaces the current data. */
    confirm: z.string(),
    passphrase: passphrase.optional(),
  })
  .refine((v) => v.confirm === v.id, {
    path: ['confirm'],
    message: 'must repeat the backup name exactly to confirm the restore',
  });

export const backupsMethods = {
  'backups.list': { input: emptyInput, output: backupListSchema },
  'backups.run': { input: backupRunInput, output: taskStartedSchema },
  'backups.verify': {
    input: z.strictObject({ id: backupId, passphrase: passphrase.optional() }),
    output: taskStartedSchema,
  },
  'backups.restore': { input: backupRestoreInput, output: taskStartedSchema },
  'backups.setSchedule': {
    input: backupScheduleSchema.omit({ nextAt: true }).strict(),
    output: backupScheduleSchema,
  },
} as const;
