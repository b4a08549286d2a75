/**
 * `settings.*` handlers: every setting with its effective value and where it
 * comes from, edits through the versioned settings file, and the admin
 * token. Secrets are shown redacted; connection URLs keep everything but
 * the password so the admin can still tell which server is configured.
 */
import type { z } from 'zod';
import type { settingsViewSchema } from '../../../../shared-contract/index.js';
import { isSecretKey, redactSecrets, redactUrl } from '../../config/redact.js';
import { CONFIG_KEYS } from '../../config/schema.js';
import { writeSettings } from '../../config/settings-file.js';
import { NovaError } from '../../errors.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';

type SettingsView = z.output<typeof settingsViewSchema>;

const URL_KEYS = new Set(['POSTGRES_URL', 'MONGODB_URL', 'REDIS_URL']);

export function settingsView(rt: AppRuntime): SettingsView {
  const { config, sources, settingsFile } = rt.loaded;
  return {
    settingsFile,
    restartRequired: rt.restartRequired,
    items: CONFIG_KEYS.map((key) => {
      const raw = config[key];
      const source = sources[key];
      const secret = URL_KEYS.has(key) || isSecretKey(key);
      let value: string | number | boolean | null =
        raw === undefined ? null : (raw as string | number | boolean);
      if (typeof value === 'string' && secret) value = URL_KEYS.has(key) ? redactUrl(value) : '***';
      else if (typeof value === 'string') value = redactSecrets(value);
      return {
        key,
        value,
        source,
        secret,
        // A stronger source (flag, env, .env) would override what we write; the data dir cannot live in its own file.
        editable: key !== 'NOVA_DATA_DIR' && (source === 'settings' || source === 'default'),
      };
    }),
  };
}

export function settingsHandlers(
  rt: AppRuntime,
): Pick<
  Handlers,
  | 'settings.get'
  | 'settings.update'
  | 'settings.rotateAdminToken'
  | 'settings.getAutoStart'
  | 'settings.setAutoStart'
> {
  return {
    'settings.get': async () => settingsView(rt),
    'settings.update': async ({ values }) => {
      const locked = Object.keys(values).filter((k) => {
        const source = rt.loaded.sources[k as keyof typeof rt.loaded.sources];
        return source === 'flag' || source === 'env' || source === 'dotenv';
      });
      if (locked.length > 0) {
        throw new NovaError(
          'CONFIG_INVALID',
          `${locked.join(', ')} ${locked.length === 1 ? 'is' : 'are'} set in the environment, .env or on the command line, which outranks the settings file.`,
          {
            fix: `Change ${locked.join(', ')} where it is set, or remove it there and save it here.`,
          },
        );
      }
      await writeSettings(rt.dataDir, values);
      await rt.reloadConfig();
      rt.logger.info('settings saved', { keys: Object.keys(values).join(',') });
      return settingsView(rt);
    },
    'settings.rotateAdminToken': async () => ({ token: await rt.rotateAdminToken() }),
    // Start-at-login belongs to the desktop app; the Electron main process answers these itself.
    'settings.getAutoStart': async () => ({ enabled: false, supported: false }),
    'settings.setAutoStart': async () => {
      throw new NovaError('SERVICE_UNAVAILABLE', 'Starting at login is a desktop-app setting.', {
        fix: 'Use your service manager (e.g. a systemd unit running nova-db serve) to start the headless server at boot.',
      });
    },
  };
}
