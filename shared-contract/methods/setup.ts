/** `setup.*`: the first-run wizard — detection, connection tests, saving the choice. */
import { z } from 'zod';
import { emptyInput, profileSchema, serviceNameSchema } from '../common.js';
import { serviceStatusSchema } from './services.js';

const foundBinary = z.object({ path: z.string(), version: z.string().nullable() }).nullable();

export const detectionSchema = z.object({
  docker: z.object({
    checked: z.boolean(),
    client: z.string().nullable(),
    engine: z.enum(['running', 'not-running', 'absent']),
    compose: z.enum(['v2', 'v1']).nullable(),
    reason: z.string().optional(),
  }),
  binaries: z.record(z.string(), foundBinary),
  listening: z.array(
    z.object({
      service: serviceNameSchema,
      host: z.string(),
      port: z.number(),
      confirmed: z.boolean(),
      version: z.string().optional(),
      detail: z.string(),
      /** What Setup prefills for "Use this server" (a confirmed server only). */
      suggestion: z
        .object({
          host: z.string(),
          port: z.number(),
          database: z.string().optional(),
          user: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

/**
 * A server given as fields. The password is a secret: Setup shows a saved
 * one masked and sends none back when it was not changed, which keeps it.
 */
export const connectionFieldsSchema = z.strictObject({
  host: z.string().trim().min(1, 'Enter the server name or address.').max(255),
  port: z.number().int().min(1).max(65535),
  database: z.string().trim().max(63).optional(),
  user: z.string().trim().max(128).optional(),
  /** Omitted: keep the saved password. */
  password: z.string().max(1024).optional(),
});

/** What Setup shows on a revisit: the saved choice per service, without any password. */
export const setupCurrentSchema = z.object({
  services: z.array(
    z.object({
      service: serviceNameSchema,
      profile: profileSchema,
      connection: z
        .object({
          host: z.string(),
          port: z.number(),
          database: z.string().optional(),
          user: z.string().optional(),
          hasPassword: z.boolean(),
        })
        .nullable(),
      /** The choice is made outside Nova (environment, .env, command line), so Setup cannot change it. */
      locked: z.boolean(),
    }),
  ),
});

/** Connection URLs are secrets; they are accepted, never echoed back. */
const connectionUrl = z.string().trim().min(1).max(2048);

const SCHEMES: Record<z.infer<typeof serviceNameSchema>, string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mongo: ['mongodb:', 'mongodb+srv:'],
  redis: ['redis:', 'rediss:'],
};

function schemeOk(service: z.infer<typeof serviceNameSchema>, url: string): boolean {
  try {
    return SCHEMES[service].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

export const testConnectionInput = z
  .strictObject({
    service: serviceNameSchema,
    profile: profileSchema,
    url: connectionUrl.optional(),
    /** Instead of a URL; a missing password uses the saved one. */
    connection: connectionFieldsSchema.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.profile !== 'external') return;
    // Neither: the saved connection is tested (the handler says so when there is none).
    if (v.url && !schemeOk(v.service, v.url))
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `must start with ${SCHEMES[v.service].map((s) => `${s}//`).join(' or ')}`,
      });
  });

export const testConnectionResult = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  detail: z.string(),
  fix: z.string().optional(),
});

const profiles = z.strictObject({
  postgres: profileSchema,
  mongo: profileSchema,
  redis: profileSchema,
});

export const applySetupInput = z
  .strictObject({
    profiles,
    urls: z
      .strictObject({
        postgres: connectionUrl.optional(),
        mongo: connectionUrl.optional(),
        redis: connectionUrl.optional(),
      })
      .default({}),
    /** Servers given as fields (Setup's form); a missing password keeps the saved one. */
    connections: z
      .strictObject({
        postgres: connectionFieldsSchema.optional(),
        mongo: connectionFieldsSchema.optional(),
        redis: connectionFieldsSchema.optional(),
      })
      .default({}),
  })
  .superRefine((v, ctx) => {
    // An external service with neither keeps its saved URL; the handler refuses when there is none.
    for (const service of serviceNameSchema.options) {
      const url = v.urls[service];
      if (url && !schemeOk(service, url))
        ctx.addIssue({
          code: 'custom',
          path: ['urls', service],
          message: `must start with ${SCHEMES[service].map((s) => `${s}//`).join(' or ')}`,
        });
    }
  });

export const applySetupResult = z.object({
  services: z.array(serviceStatusSchema),
  /** Services that did not come up; the rest of the setup was still saved. */
  failed: z.array(
    z.object({ service: serviceNameSchema, message: z.string(), fix: z.string().optional() }),
  ),
});

export const setupMethods = {
  'setup.detect': { input: emptyInput, output: detectionSchema },
  'setup.current': { input: emptyInput, output: setupCurrentSchema },
  'setup.testConnection': { input: testConnectionInput, output: testConnectionResult },
  'setup.apply': { input: applySetupInput, output: applySetupResult },
} as const;
