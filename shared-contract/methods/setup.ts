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
  })
  .superRefine((v, ctx) => {
    if (v.profile !== 'external') return;
    if (!v.url)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'is required for the external profile',
      });
    else if (!schemeOk(v.service, v.url))
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
  })
  .superRefine((v, ctx) => {
    for (const service of serviceNameSchema.options) {
      const url = v.urls[service];
      if (v.profiles[service] === 'external' && !url)
        ctx.addIssue({
          code: 'custom',
          path: ['urls', service],
          message: 'is required for the external profile',
        });
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
  'setup.testConnection': { input: testConnectionInput, output: testConnectionResult },
  'setup.apply': { input: applySetupInput, output: applySetupResult },
} as const;
