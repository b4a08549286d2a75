/** `settings.*`: the configuration as the admin sees it, where each value comes from, and edits. */
import { z } from 'zod';
import { emptyInput } from '../common.js';

const settingValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);

export const settingsViewSchema = z.object({
  settingsFile: z.string(),
  items: z.array(
    z.object({
      key: z.string(),
      /** Secrets (connection URLs) are shown redacted. */
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
      source: z.enum(['flag', 'env', 'dotenv', 'settings', 'default']),
      secret: z.boolean(),
      /** False for keys the settings file cannot hold (NOVA_DATA_DIR) or that a flag/env var overrides. */
      editable: z.boolean(),
    }),
  ),
  /** Changes to these take effect after a restart of the data layer (setup.apply / app restart). */
  restartRequired: z.boolean(),
});

export const settingsUpdateInput = z
  .strictObject({
    values: z.record(
      z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'must be a setting name like NOVA_LOG_LEVEL'),
      settingValue,
    ),
    /** Rebuild the services and the data layer with the saved values (Apply & restart services). */
    restart: z.boolean().default(false),
  })
  .refine((v) => v.restart || Object.keys(v.values).length > 0, {
    path: ['values'],
    message: 'must name at least one setting',
  });

/**
 * After an update: the view, and per setting what is wrong with the value
 * given (nothing is saved when any is wrong), so the screen shows each
 * problem beside its field.
 */
export const settingsUpdateResult = settingsViewSchema.extend({
  errors: z.record(z.string(), z.string()),
  /** The services and data layer were rebuilt with the new values. */
  restarted: z.boolean(),
});

export const settingsMethods = {
  'settings.get': { input: emptyInput, output: settingsViewSchema },
  'settings.update': { input: settingsUpdateInput, output: settingsUpdateResult },
  /** A new admin token for the headless server; the old one stops working at once. */
  'settings.rotateAdminToken': { input: emptyInput, output: z.object({ token: z.string() }) },
  /** Desktop only: start Nova when the user logs in. */
  'settings.setAutoStart': {
    input: z.strictObject({ enabled: z.boolean() }),
    output: z.object({ enabled: z.boolean() }),
  },
  'settings.getAutoStart': {
    input: emptyInput,
    output: z.object({ enabled: z.boolean(), supported: z.boolean() }),
  },
} as const;
