/** `health.*`: the aggregate (ok / degraded / down with reasons) and its history, for the dashboard. */
import { z } from 'zod';
import { emptyInput, healthStatusSchema } from '../common.js';

export const checkOutcomeSchema = z.object({
  id: z.string(),
  service: z.string(),
  label: z.string(),
  backend: z.string().optional(),
  status: healthStatusSchema,
  latencyMs: z.number().nullable(),
  detail: z.string(),
  fix: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  at: z.number(),
  durationMs: z.number(),
});

export const healthReasonSchema = z.object({
  check: z.string(),
  service: z.string(),
  label: z.string(),
  status: healthStatusSchema,
  effect: healthStatusSchema,
  message: z.string(),
  fix: z.string(),
});

/** One status per data service, from the same checks (so the service table agrees with the cards). */
export const serviceRollupSchema = z.object({
  service: z.enum(['postgres', 'mongo', 'redis']),
  role: z.enum(['relational data', 'documents', 'cache']),
  label: z.string(),
  status: healthStatusSchema,
  detail: z.string(),
  checkId: z.string().nullable(),
});

export const healthSummarySchema = z.object({
  status: healthStatusSchema,
  at: z.number(),
  reasons: z.array(healthReasonSchema),
  checks: z.array(checkOutcomeSchema),
  services: z.array(serviceRollupSchema),
});
export type HealthSummaryDto = z.infer<typeof healthSummarySchema>;

const sample = z.object({
  at: z.number(),
  status: healthStatusSchema,
  latencyMs: z.number().nullable(),
});

export const healthHistorySchema = z.object({
  overall: z.array(z.object({ at: z.number(), status: healthStatusSchema })),
  /** Per check id, oldest first. */
  checks: z.record(z.string(), z.array(sample)),
  intervalMs: z.number(),
});

export const healthMethods = {
  'health.current': { input: emptyInput, output: healthSummarySchema },
  /** Runs every check now instead of waiting for the interval. */
  'health.refresh': { input: emptyInput, output: healthSummarySchema },
  'health.history': { input: emptyInput, output: healthHistorySchema },
} as const;
