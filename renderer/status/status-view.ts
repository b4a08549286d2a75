/**
 * What every status element on screen shows, as one pure function of one
 * snapshot: the sidebar pill, the dashboard's overall line, each check card,
 * each service row and the data-safety lines. Nothing on screen computes a
 * status of its own, so nothing can disagree; when the connection to Nova
 * is lost, every element turns to the same greyed "last known at …".
 */
import type { HealthStatusDto } from '../../shared-contract/common.js';
import type { HealthSummaryDto } from '../../shared-contract/methods/health.js';

export interface StatusSnapshot {
  health: HealthSummaryDto | null;
  /** The connection to Nova is up (events flowing, calls answered). */
  connected: boolean;
  /** When the connection was lost (epoch ms); null while connected. */
  lostAt: number | null;
}

export type ShownStatus = HealthStatusDto | 'unknown';

export interface StatusLine {
  status: ShownStatus;
  /** The word shown in the badge. */
  word: string;
  /** Greyed: what was last known, not what is. */
  stale: boolean;
}

export interface StatusView {
  stale: boolean;
  /** "Lost the connection to Nova at 10:32:07. Showing what was last known at 10:32:05." */
  banner: string | null;
  overall: StatusLine & { headline: string; checked: string };
  pill: StatusLine & { text: string };
  checks: Record<string, StatusLine>;
  services: Record<string, StatusLine & { detail: string }>;
}

const WORD: Record<ShownStatus, string> = {
  ok: 'OK',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
};

const HEADLINE: Record<ShownStatus, string> = {
  ok: 'All services healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Checking…',
};

/** "10:32:05" — a clock time people compare with the wall clock. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago". */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function statusView(snap: StatusSnapshot, now: number): StatusView {
  const h = snap.health;
  const stale = !snap.connected;
  const line = (status: ShownStatus): StatusLine => ({ status, word: WORD[status], stale });
  const checks: StatusView['checks'] = {};
  const services: StatusView['services'] = {};
  for (const c of h?.checks ?? []) checks[c.id] = line(c.status);
  for (const s of h?.services ?? []) services[s.service] = { ...line(s.status), detail: s.detail };

  if (!h) {
    return {
      stale,
      banner: stale ? 'Cannot reach Nova. Nothing is known yet; retrying…' : null,
      overall: {
        ...line('unknown'),
        headline: stale ? 'Not connected' : HEADLINE.unknown,
        checked: '',
      },
      pill: { ...line('unknown'), text: stale ? 'Not connected' : 'Checking…' },
      checks,
      services,
    };
  }
  const known = clockTime(h.at);
  if (stale) {
    const lost = snap.lostAt ? ` at ${clockTime(snap.lostAt)}` : '';
    return {
      stale,
      banner: `Lost the connection to Nova${lost}. Showing what was last known at ${known}; retrying…`,
      overall: {
        ...line(h.status),
        headline: `Last known: ${HEADLINE[h.status]}`,
        checked: `last known at ${known}`,
      },
      pill: { ...line(h.status), text: `Last known: ${WORD[h.status]} · ${known}` },
      checks,
      services,
    };
  }
  return {
    stale,
    banner: null,
    overall: {
      ...line(h.status),
      headline: HEADLINE[h.status],
      checked: `checked ${ago(h.at, now)}`,
    },
    pill: { ...line(h.status), text: `System ${WORD[h.status]}` },
    checks,
    services,
  };
}
