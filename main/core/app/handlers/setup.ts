/**
 * `setup.*` handlers: the first-run wizard. Detection and connection tests
 * only look; apply writes the chosen profiles to the settings file and
 * rebuilds the running services and data layer from it.
 */
import type { z } from 'zod';
import type { applySetupInput } from '../../../../shared-contract/index.js';
import { writeSettings } from '../../config/settings-file.js';
import { NovaError } from '../../errors.js';
import { detect } from '../../services/detect.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';
import { testConnection } from '../test-connection.js';
import { serviceStatusDto } from './services.js';

const PROFILE_KEY = {
  postgres: 'NOVA_POSTGRES_PROFILE',
  mongo: 'NOVA_MONGO_PROFILE',
  redis: 'NOVA_REDIS_PROFILE',
} as const;
const URL_KEY = { postgres: 'POSTGRES_URL', mongo: 'MONGODB_URL', redis: 'REDIS_URL' } as const;

export function setupHandlers(
  rt: AppRuntime,
): Pick<Handlers, 'setup.detect' | 'setup.testConnection' | 'setup.apply'> {
  return {
    'setup.detect': async () => {
      const report = await detect();
      const { docker } = report;
      return {
        docker: {
          checked: docker.checked,
          client: docker.client,
          engine: docker.engine,
          compose: docker.compose,
          ...(docker.reason ? { reason: docker.reason } : {}),
        },
        binaries: Object.fromEntries(
          Object.entries(report.binaries).map(([name, found]) => [
            name,
            found ? { path: found.path, version: found.version } : null,
          ]),
        ),
        listening: report.listening,
      };
    },

    'setup.testConnection': (input) => testConnection(rt.config, input),

    'setup.apply': async (input) => {
      assertNotOverridden(rt, input);
      const values: Record<string, unknown> = {};
      for (const service of ['postgres', 'mongo', 'redis'] as const) {
        values[PROFILE_KEY[service]] = input.profiles[service];
        const url = input.urls[service];
        if (url) values[URL_KEY[service]] = url;
      }
      await writeSettings(rt.dataDir, values);
      rt.logger.info('setup saved; restarting the services', { ...input.profiles });
      await rt.reconfigure();
      const { services, failed, openError } = rt.layer;
      return {
        services: (await services.statusAll()).map(serviceStatusDto),
        failed: [
          ...failed.map((f) => ({
            service: f.service,
            message: f.error.message,
            ...(f.error.fix ? { fix: f.error.fix } : {}),
          })),
          // The services may be up while the database refuses us (wrong password in the URL…).
          ...(openError && failed.length === 0
            ? [
                {
                  service: 'postgres' as const,
                  message: openError.message,
                  ...(openError.fix ? { fix: openError.fix } : {}),
                },
              ]
            : []),
        ],
      };
    },
  };
}

/**
 * A profile set in the environment or on the command line outranks the
 * settings file; saving one there would silently change nothing.
 */
function assertNotOverridden(rt: AppRuntime, input: z.output<typeof applySetupInput>): void {
  const keys = [
    ...Object.values(PROFILE_KEY),
    ...(['postgres', 'mongo', 'redis'] as const)
      .filter((s) => input.urls[s])
      .map((s) => URL_KEY[s]),
  ];
  const overridden = keys.filter((k) => {
    const source = rt.loaded.sources[k];
    return source === 'env' || source === 'flag' || source === 'dotenv';
  });
  if (overridden.length > 0) {
    throw new NovaError(
      'CONFIG_INVALID',
      `${overridden.join(', ')} ${overridden.length === 1 ? 'is' : 'are'} set in the environment, .env or on the command line, which outranks the settings saved here.`,
      {
        fix: `Remove ${overridden.join(', ')} from the environment / .env and restart Nova, then save the setup again.`,
      },
    );
  }
}
