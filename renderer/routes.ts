/**
 * Which screen each route shows and its name in the navigation. Kept apart
 * from the shell (app-shell.ts) so the shell imports no screen and no
 * screen's import of a shared piece can loop back through the shell.
 */
import type { RouteName, Screen } from './context.js';
import { backupsScreen } from './screens/backups.js';
import { dashboardScreen } from './screens/dashboard.js';
import { logsScreen } from './screens/logs.js';
import { migrationScreen } from './screens/migration/wizard.js';
import { settingsScreen } from './screens/settings.js';
import { setupScreen } from './screens/setup.js';

export interface RouteEntry {
  label: string;
  screen: Screen;
}

export const SCREENS: Record<RouteName, RouteEntry> = {
  dashboard: { label: 'Dashboard', screen: dashboardScreen },
  setup: { label: 'Setup', screen: setupScreen },
  migration: { label: 'Migration', screen: migrationScreen },
  backups: { label: 'Backups', screen: backupsScreen },
  logs: { label: 'Logs', screen: logsScreen },
  settings: { label: 'Settings', screen: settingsScreen },
};
