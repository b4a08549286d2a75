/**
 * `setup.*` handlers: the first-run wizard. Detection and connection tests
 * only look; current shows the saved choice (passwords never leave); apply
 * writes the chosen profiles and servers to the settings file and rebuilds
 * the running services and data layer from it.
 */
import type { ServiceNameDto } from '../../../../shared-contract/index.js';
import { serviceProfiles } from '../../config/schema.js';
import { writeSettings } from '../../config/settings-file.js';
import { redactSecrets } from '../../config/redact.js';
import { NovaError } from '../../errors.js';
import { detect } from '../../services/detect.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';
import { connectionUrl, shownConnection, type ConnectionFields } from '../setup-connection.js';
import { testConnection } from '../test-connection.js';
import { serviceStatusDto } from './services.js';

const SERVICES = ['postgres', 'mongo', 'redis'] as const;
const PROFILE_KEY = {
  postgres: 'NOVA_POSTGRES_PROFILE',
  mongo: 'NOVA_MONGO_PROFILE',
  redis: 'NOVA_REDIS_PROFILE',
} as const;
const URL_KEY = { postgres: 'POSTGRES_URL', mongo: 'MONGODB_URL', redis: 'REDIS_URL' } as const;
const LABEL = { postgres: 'PostgreSQL', mongo: 'MongoDB', redis: 'Redis' } as const;

/** What "Use this server" prefills for a server found listening. */
const SUGGESTED: Record<ServiceNameDto, { database?: string; user?: string }> = {
  postgres: { database: 'nova', user: 'postgres' },
  mongo: {},
  redis: {},
};

export function setupHandlers(
  rt: AppRuntime,
): Pick<Handlers, 'setup.detect' | 'setup.current' | 'setup.testConnection' | 'setup.apply'> {
  /** The URL to use for an external service: given, built from fields, or the saved one. */
  const resolveUrl = (
    service: ServiceNameDto,
    url: string | undefined,
    fields: ConnectionFields | undefined,
  ): string | undefined => {
    if (url) return url;
    const saved = rt.config[URL_KEY[service]];
    if (fields) return connectionUrl(service, fields, saved);
    return saved;
  };

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
        listening: report.listening.map((l) => ({
          ...l,
          ...(l.confirmed
            ? { suggestion: { host: l.host, port: l.port, ...SUGGESTED[l.service] } }
            : {}),
        })),
      };
    },

    'setup.current': async () => {
      const profiles = serviceProfiles(rt.config);
      const { sources } = rt.loaded;
      const outside = (key: string) => {
        const source = sources[key as keyof typeof sources];
        return source === 'env' || source === 'flag' || source === 'dotenv';
      };
      return {
        services: SERVICES.map((service) => ({
          service,
          profile: profiles[service],
          connection: shownConnection(service, rt.config[URL_KEY[service]]),
          locked:
            outside(PROFILE_KEY[service]) || outside('NOVA_PROFILE') || outside(URL_KEY[service]),
        })),
      };
    },

    'setup.testConnection': async (input) => {
      if (input.profile !== 'external') return testConnection(rt.config, input);
      const url = resolveUrl(input.service, input.url, input.connection);
      if (!url) {
        return {
          ok: false,
          latencyMs: null,
          detail: `Enter the address of the ${LABEL[input.service]} server first.`,
        };
      }
      return testConnection(rt.config, { ...input, url });
    },

    'setup.apply': async (input) => {
      const values: Record<string, unknown> = {};
      const missing: string[] = [];
      for (const service of SERVICES) {
        values[PROFILE_KEY[service]] = input.profiles[service];
        if (input.profiles[service] === 'external') {
          const url = resolveUrl(service, input.urls[service], input.connections[service]);
          if (url) values[URL_KEY[service]] = url;
          else missing.push(LABEL[service]);
        } else {
          // A URL left from an earlier external choice must not steer this service any more.
          values[URL_KEY[service]] = null;
        }
      }
      if (missing.length > 0) {
        throw new NovaError(
          'INVALID_ARGUMENT',
          `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} set to External but no server is given.`,
          { fix: 'Enter the server address (or choose another option) and save again.' },
        );
      }
      assertNotOverridden(rt, values);
      await writeSettings(rt.dataDir, values);
      rt.logger.info('setup saved; restarting the services', { ...input.profiles });
      await rt.reconfigure();
      const { services, failed, openError } = rt.layer;
      return {
        services: (await services.statusAll()).map(serviceStatusDto),
        failed: [
          ...failed.map((f) => ({
            service: f.service,
            message: redactSecrets(f.error.message),
            ...(f.error.fix ? { fix: redactSecrets(f.error.fix) } : {}),
          })),
          // The services may be up while the database refuses us (wrong password in the URL…).
          ...(openError && failed.length === 0
            ? [
                {
                  service: 'postgres' as const,
                  message: redactSecrets(openError.message),
                  ...(openError.fix ? { fix: redactSecrets(openError.fix) } : {}),
                },
              ]
            : []),
        ],
      };
    },
  };
}

/**
 * A profile or server set in the environment or on the command line
 * outranks the settings file; saving one there would silently change nothing.
 */
function assertNotOverridden(rt: AppRuntime, values: Record<string, unknown>): void {
  const overridden = SERVICES.filter((s) => {
    const keys = [PROFILE_KEY[s], ...(values[URL_KEY[s]] ? [URL_KEY[s]] : [])];
    return keys.some((k) => {
      const source = rt.loaded.sources[k];
      return source === 'env' || source === 'flag' || source === 'dotenv';
    });
  });
  if (overridden.length > 0) {
    const names = overridden.map((s) => LABEL[s]).join(' and ');
    throw new NovaError(
      'CONFIG_INVALID',
      `Where ${names} runs is set outside Nova (in its environment, a .env file or on its command line), which wins over what Setup saves.`,
      {
        fix: 'Remove that setting where Nova is started, restart Nova, then save the setup again.',
      },
    );
  }
}
