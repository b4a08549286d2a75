/**
 * Building blocks shared by several methods: service names, profiles,
 * task snapshots. Every object a client sends is strict (unknown keys are
 * refused), so a typo in a payload is an error instead of a silent no-op.
 */
import { z } from 'zod';
import { errorDataSchema } from './errors.js';

export const SERVICE_NAMES = ['postgres', 'mongo', 'redis'] as const;
export const serviceNameSchema = z.enum(SERVICE_NAMES);
export type ServiceNameDto = z.infer<typeof serviceNameSchema>;

export const PROFILES = ['embedded', 'docker', 'native', 'external'] as const;
export const profileSchema = z.enum(PROFILES);
export type ProfileDto = z.infer<typeof profileSchema>;

export const healthStatusSchema = z.enum(['ok', 'degraded', 'down']);
export type HealthStatusDto = z.infer<typeof healthStatusSchema>;

/** No arguments. Strict, so `{ anything: 1 }` is refused rather than ignored. */
export const emptyInput = z.strictObject({});

/** A task id as TaskRegistry makes them (a UUID). */
export const taskIdSchema = z.uuid();

export const taskProgressSchema = z.object({
  phase: z.string(),
  item: z.string().optional(),
  done: z.number(),
  total: z.number().nullable(),
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});

export const taskSnapshotSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: taskProgressSchema,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Kind-specific; read it through the method that owns the kind (e.g. migration.report). */
  result: z.unknown().optional(),
  error: errorDataSchema.optional(),
});
export type TaskSnapshotDto = z.infer<typeof taskSnapshotSchema>;

/** Methods that start long work answer with the task to follow. */
export const taskStartedSchema = z.object({ taskId: z.string() });

/** A file path on the machine running Nova; absolute, because the UI and main may not share a cwd. */
export const absolutePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'must be an absolute path (e.g. /var/lib/nova/log.sqlite)',
  })
  .refine((p) => !p.includes('\0'), { message: 'must not contain NUL characters' });
