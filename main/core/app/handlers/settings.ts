/**
 * `settings.*` handlers: every setting with its effective value and where it
 * comes from, edits through the versioned settings file, and the admin
 * token. Secrets are shown redacted; connection URLs keep everything but
 * the password so the admin can still tell which server is configured.
 */
import type { z } from 'zod';
import type { settingsViewSchema } from '../../../../shared-contract/index.js';
import { isSecretKey, redactSecrets } from '../../config/redact.js';
import { CONFIG_KEYS, configSchema } from '../../config/schema.js';
import { numberProblem, settingInfo } from '../../../../shared-contract/settings-catalog.js';
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
      if (typeof value === 'string' && secret)
        value = URL_KEYS.has(key) ? redactSecrets(value) : '***';
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
    'settings.update': async ({ values, restart }) => {
      const locked = Object.keys(values).filter((k) => {
        const source = rt.loaded.sources[k as keyof typeof rt.loaded.sources];
        return source === 'flag' || source === 'env' || source === 'dotenv';
      });
      const errors = {
        ...settingErrors(values),
        // A stronger source would silently win over what we save.
        ...Object.fromEntries(
          locked.map((k) => [
            k,
            'Set outside Nova (environment, .env file or command line), which wins over this screen; change it there.',
          ]),
        ),
      };
      if (Object.keys(errors).length > 0) return { ...settingsView(rt), errors, restarted: false };
      if (Object.keys(values).length > 0) {
        await writeSettings(rt.dataDir, values);
        await rt.reloadConfig();
        rt.logger.info('settings saved', { keys: Object.keys(values).join(',') });
      }
      if (restart) {
        rt.logger.info('restarting the services with the saved settings');
        await rt.reconfigure();
      }
      return { ...settingsView(rt), errors: {}, restarted: restart };
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

/** What is wrong with each value, in words for the field beside it; empty when all are fine. */
export function settingErrors(values: Record<string, unknown>): Record<string, string> {
  const shape = configSchema.shape as Record<string, z.ZodType>;
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!Object.hasOwn(shape, key)) {
      errors[key] = 'Nova has no such setting.';
      continue;
    }
    if (key === 'NOVA_DATA_DIR') {
      errors[key] = 'The data folder is chosen when Nova starts, not here.';
      continue;
    }
    if (value === null) continue; // back to the default
    const control = settingInfo(key).control;
    if (control.kind === 'number') {
      const problem = numberProblem(control, String(value));
      if (problem) {
        errors[key] = problem;
        continue;
      }
    }
    if (control.kind === 'choice' && !control.options.some((o) => o.value === String(value))) {
      errors[key] = `Choose one of: ${control.options.map((o) => o.label).join(', ')}.`;
      continue;
    }
    const result = shape[key]!.safeParse(value);
    if (!result.success)
      errors[key] = `Not a valid value: ${result.error.issues[0]?.message ?? 'invalid'}.`;
  }
  return errors;
}
