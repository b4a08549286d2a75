/** `app.*` handlers. */
import { serviceProfiles } from '../../config/schema.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';

export function appHandlers(rt: AppRuntime): Pick<Handlers, 'app.info'> {
  return {
    'app.info': async () => ({
      version: rt.version,
      mode: rt.mode,
      dataDir: rt.dataDir,
      firstRun: rt.firstRun,
      profiles: serviceProfiles(rt.config),
      relational: rt.layer.factory?.dialect ?? null,
    }),
  };
}
