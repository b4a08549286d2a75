/** `app.*`: what the renderer needs to know about the program it talks to. */
import { z } from 'zod';
import { emptyInput, profileSchema } from '../common.js';

export const appInfoSchema = z.object({
  version: z.string(),
  /** Desktop (Electron, IPC) or headless (HTTP + WebSocket); the UI hides desktop-only settings. */
  mode: z.enum(['desktop', 'headless']),
  dataDir: z.string(),
  /** True until the first-run setup has been saved (no settings file yet). */
  firstRun: z.boolean(),
  profiles: z.object({ postgres: profileSchema, mongo: profileSchema, redis: profileSchema }),
  /** Which relational store the data layer uses right now. */
  relational: z.enum(['sqlite', 'postgres']).nullable(),
});

export const appMethods = {
  'app.info': { input: emptyInput, output: appInfoSchema },
} as const;
