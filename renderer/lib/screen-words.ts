/**
 * Messages from main serve the CLI, `/health` and the screen alike, so some
 * name what a terminal user types: a variable (REDIS_URL), a command
 * (`nova-db up`), a flag (--resume), a contract method (setup.apply). On the
 * screen those are translated to what the admin sees there — the setting's
 * label, the button or the screen — before any message is shown. Pure.
 */
import { SETTINGS_CATALOG } from '../../shared-contract/settings-catalog.js';

const COMMANDS: Record<string, string> = {
  up: 'the Start buttons on the Dashboard',
  down: 'the Stop buttons on the Dashboard',
  status: 'the Dashboard',
  doctor: 'the Dashboard',
  backup: 'Back up now on the Backups screen',
  backups: 'the Backups screen',
  verify: 'Verify on the Backups screen',
  restore: 'Restore on the Backups screen',
  migrate: 'the Migration screen',
  serve: 'the admin server',
};

const NAMESPACES: Record<string, string> = {
  setup: 'Setup',
  services: 'the Dashboard',
  health: 'the Dashboard',
  tasks: 'the running task',
  migration: 'the Migration screen',
  backups: 'the Backups screen',
  settings: 'Settings',
  app: 'Nova',
};

const FLAGS: Record<string, string> = {
  '--resume': 'Resume',
  '--data-dir': 'the data folder',
  '--report': 'the report folder',
  '--apply-rejects': 'Apply fixed rejects',
  '--dry-run': 'the dry run',
  '--yes': 'the confirmation',
  '--encrypt': 'Encrypt with a passphrase',
  '--rotate-token': 'Make a new admin token',
  '--port': 'the admin port',
  '--host': 'the admin address',
};

/** `REDIS_URL` → `the “Redis connection” setting`; unknown names are left alone. */
function settingWords(name: string): string {
  const info = SETTINGS_CATALOG[name];
  if (!info) return name;
  return info.setupOnly ? `the ${info.label} in Setup` : `the “${info.label}” setting`;
}

export function forScreen(text: string): string {
  return text
    .replace(/\bnova-db(?: ([a-z]+))?(?: --[a-z-]+(?: \S+)?)*/g, (_m, cmd?: string) =>
      cmd && COMMANDS[cmd] ? COMMANDS[cmd] : 'Nova',
    )
    .replace(/(^|[\s(])(--[a-z][a-z-]+)\b/g, (m, lead: string, flag: string) =>
      FLAGS[flag] ? `${lead}${FLAGS[flag]}` : m,
    )
    .replace(/\b(?:NOVA|POSTGRES|MONGODB|REDIS|SQLITE)_[A-Z0-9_]+\b/g, settingWords)
    .replace(
      /\b(setup|services|health|tasks|migration|backups|settings|app)\.[a-z][A-Za-z]+\b/g,
      (_m, ns: string) => NAMESPACES[ns] ?? ns,
    );
}
