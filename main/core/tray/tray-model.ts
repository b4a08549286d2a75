/**
 * The system tray as a pure projection of health (docs/ARCHITECTURE.md#the-tray-is-a-projection):
 * the Electron layer rebuilds the whole menu from this model on every
 * monitor update and maps `action`s to handlers. Nothing here imports
 * Electron, reads a clock or keeps state, so every state is unit-tested.
 */
import type { HealthAggregate } from '../health/aggregate.js';
import type { CheckOutcome, HealthStatus } from '../health/types.js';

export type TrayIcon = HealthStatus | 'unknown';

/** What a menu item does when clicked; the Electron layer maps each to a handler. */
export type TrayAction =
  'open-dashboard' | 'start-services' | 'stop-services' | 'backup-now' | 'quit';

export interface MenuItemModel {
  /** Stable across rebuilds, e.g. `status:postgres`, `backup-now`. */
  id: string;
  type: 'normal' | 'separator';
  label: string;
  enabled: boolean;
  /** Set on clickable items. */
  action?: TrayAction;
  /** Set on status lines, for a per-line icon. */
  status?: TrayIcon;
}

export interface TrayState {
  /** Whether the orchestrated services are up (decides start vs stop). */
  servicesRunning: boolean;
  /** A backup is in progress (Back up now is disabled meanwhile). */
  backupRunning: boolean;
}

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  menu: MenuItemModel[];
}

/** Windows truncates tray tooltips beyond 127 characters; stay within it everywhere. */
export const TOOLTIP_MAX = 127;
/** Menu lines longer than this make the menu as wide as the screen. */
export const STATUS_LINE_MAX = 80;

const APP = 'Nova DB';
const STATUS_WORD: Record<TrayIcon, string> = {
  ok: 'OK',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Checking…',
};

export function trayModel(aggregate: HealthAggregate | null, state: TrayState): TrayModel {
  const icon = iconFor(aggregate);
  const checks = icon === 'unknown' || !aggregate ? [] : aggregate.checks;
  const relationalDown = checks.some((c) => c.service === 'relational' && c.status === 'down');
  const menu: MenuItemModel[] = [
    item('status', `${APP}: ${STATUS_WORD[icon]}`, false, { status: icon }),
    ...checks.map((c) => item(`status:${c.id}`, statusLine(c), false, { status: c.status })),
    separator('sep-status'),
    item('open-dashboard', 'Open dashboard', true, { action: 'open-dashboard' }),
    item('start-services', 'Start services', !state.servicesRunning, { action: 'start-services' }),
    item('stop-services', 'Stop services', state.servicesRunning, { action: 'stop-services' }),
    item(
      'backup-now',
      state.backupRunning ? 'Backing up…' : 'Back up now',
      // A backup needs the relational store; offering it while it is down would only fail.
      !state.backupRunning && icon !== 'unknown' && !relationalDown,
      { action: 'backup-now' },
    ),
    separator('sep-quit'),
    item('quit', 'Quit Nova DB', true, { action: 'quit' }),
  ];
  return { icon, tooltip: tooltipFor(icon, aggregate), menu };
}

function iconFor(aggregate: HealthAggregate | null): TrayIcon {
  const s = aggregate?.status;
  return s === 'ok' || s === 'degraded' || s === 'down' ? s : 'unknown';
}

function tooltipFor(icon: TrayIcon, aggregate: HealthAggregate | null): string {
  if (icon === 'unknown' || !aggregate) return `${APP} — checking the data services…`;
  if (icon === 'ok') return `${APP} — all services healthy`;
  // Name what is wrong, worst first; the menu has the details.
  const problems = aggregate.reasons.map((r) => `${r.label} ${r.status}`);
  const unique = [...new Set(problems)];
  return truncate(`${APP} — ${STATUS_WORD[icon].toLowerCase()}: ${unique.join(', ')}`, TOOLTIP_MAX);
}

function statusLine(c: CheckOutcome): string {
  // Data safety reads as a fact, not as "ok": when the data was last proven restorable.
  const proof = /Last proven restorable at (\S+)/.exec(c.detail);
  if (c.status === 'ok' && proof) {
    return truncate(
      `Proven restorable: ${proof[1]!.replace('T', ' ').slice(0, 16)} UTC`,
      STATUS_LINE_MAX,
    );
  }
  if (c.status === 'ok') {
    const latency = c.latencyMs === null ? '' : ` (${formatLatency(c.latencyMs)})`;
    return truncate(`${c.label}: ok${latency}`, STATUS_LINE_MAX);
  }
  return truncate(`${c.label}: ${c.status} — ${firstSentence(c.detail)}`, STATUS_LINE_MAX);
}

function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Details can be long; the menu shows their first clause. */
function firstSentence(text: string): string {
  const line = text.split('\n')[0] ?? '';
  const end = line.search(/[.;](\s|$)/);
  return (end > 0 ? line.slice(0, end) : line).trim();
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function item(
  id: string,
  label: string,
  enabled: boolean,
  extra: Pick<MenuItemModel, 'action' | 'status'> = {},
): MenuItemModel {
  return { id, type: 'normal', label, enabled, ...extra };
}

function separator(id: string): MenuItemModel {
  return { id, type: 'separator', label: '', enabled: false };
}
