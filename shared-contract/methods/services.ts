/** `services.*`: the data services' state machines, start/stop, and their logs. */
import { z } from 'zod';
import { emptyInput, serviceNameSchema } from '../common.js';

export const serviceStatusSchema = z.object({
  service: serviceNameSchema,
  provider: z.enum(['native', 'docker', 'external', 'embedded']),
  state: z.enum(['stopped', 'starting', 'healthy', 'degraded', 'stopping', 'failed']),
  /** Password redacted. */
  url: z.string().optional(),
  port: z.number().optional(),
  pid: z.number().optional(),
  reason: z.string().optional(),
  fix: z.string().optional(),
  since: z.string(),
});
export type ServiceStatusDto = z.infer<typeof serviceStatusSchema>;

const serviceInput = z.strictObject({ service: serviceNameSchema });

/** `app` is Nova's own log; the others are the servers' logs where a provider keeps them. */
export const logSourceSchema = z.enum(['app', 'postgres', 'mongo', 'redis']);

export const logsInput = z.strictObject({
  source: logSourceSchema,
  lines: z.number().int().min(1).max(2000).default(200),
});

export const logsResult = z.object({
  source: logSourceSchema,
  available: z.boolean(),
  /** Why there is no log to show (embedded service, external server…). */
  reason: z.string().optional(),
  lines: z.array(z.string()),
  /** The same lines with their level (null when a server's line does not say), for filtering. */
  entries: z.array(
    z.object({ level: z.enum(['error', 'warn', 'info', 'debug']).nullable(), text: z.string() }),
  ),
});

export const servicesMethods = {
  'services.list': {
    input: emptyInput,
    output: z.object({ services: z.array(serviceStatusSchema) }),
  },
  'services.start': { input: serviceInput, output: serviceStatusSchema },
  'services.stop': { input: serviceInput, output: serviceStatusSchema },
  'services.logs': { input: logsInput, output: logsResult },
  /** Every service of the current setup (the tray's Start services / Stop services). */
  'services.startAll': {
    input: emptyInput,
    output: z.object({ services: z.array(serviceStatusSchema) }),
  },
  'services.stopAll': {
    input: emptyInput,
    output: z.object({ services: z.array(serviceStatusSchema) }),
  },
} as const;
