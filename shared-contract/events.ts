/**
 * What main pushes to the renderer without being asked: task progress,
 * health updates and transitions, service state changes, and the runtime's
 * own state (reconfiguring after Setup or a restore, ready, stopping). Same messages on
 * IPC (`nova:event`) and on the headless WebSocket.
 */
import { z } from 'zod';
import { healthStatusSchema, serviceNameSchema, taskSnapshotSchema } from './common.js';
import { healthReasonSchema, healthSummarySchema } from './methods/health.js';

export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task'), task: taskSnapshotSchema }),
  z.object({ type: z.literal('health'), health: healthSummarySchema }),
  z.object({
    type: z.literal('health-transition'),
    from: z.union([healthStatusSchema, z.literal('unknown')]),
    to: healthStatusSchema,
    reasons: z.array(healthReasonSchema),
    at: z.number(),
  }),
  z.object({
    type: z.literal('service'),
    service: serviceNameSchema,
    from: z.string(),
    to: z.string(),
    reason: z.string().optional(),
    at: z.string(),
  }),
  /** The data layer is being rebuilt (after setup.apply) or is ready again. */
  z.object({ type: z.literal('runtime'), state: z.enum(['reconfiguring', 'ready', 'stopping']) }),
]);

export type NovaEvent = z.infer<typeof eventSchema>;
