/**
 * What the dashboard shows, as plain data: the overall line with its
 * reasons, one card per liveness check, and the data-safety lines. Every
 * status comes from the one status view (status-view.ts), so a card, a
 * safety line and the sidebar pill cannot disagree. Pure: the render
 * functions in dashboard*.ts only turn these into elements.
 */
import type { z } from 'zod';
import type {
  healthHistorySchema,
  HealthSummaryDto,
} from '../../shared-contract/methods/health.js';
import { formatLatency, formatTime } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import type { ShownStatus, StatusLine, StatusView } from '../status/status-view.js';
import { metricLines, type MetricLine } from './dashboard-metrics.js';

export type History = z.infer<typeof healthHistorySchema>;
export type Check = HealthSummaryDto['checks'][number];

/** A status badge: the status it is coloured by and its word. */
export interface Badge {
  status: ShownStatus;
  text: string;
}

/** Greyed "Last known: …" once Nova cannot be reached. */
export function badgeOf(line: StatusLine): Badge {
  return line.stale
    ? { status: 'unknown', text: `Last known: ${line.word}` }
    : { status: line.status, text: line.word };
}

export interface Advice {
  message: string;
  fix: string;
}

export interface OverviewModel {
  /** Decides the colour band (`overall-<tone>`). */
  tone: ShownStatus;
  status: ShownStatus;
  headline: string;
  checked: string;
  reasons: (Advice & { effect: string })[];
}

export function overviewModel(health: HealthSummaryDto | null, view: StatusView): OverviewModel {
  const o = view.overall;
  return {
    tone: o.stale ? 'unknown' : o.status,
    status: o.status,
    headline: o.headline,
    checked: o.checked,
    reasons: (health?.reasons ?? []).map((r) => ({
      effect: r.effect,
      message: forScreen(r.message),
      fix: forScreen(r.fix),
    })),
  };
}

/** The checks the "Data safety" panel shows (and the check cards leave out). */
export const SAFETY_CHECKS = ['backup', 'restore-test', 'backup-space', 'migration'] as const;

const SAFETY_TITLE: Record<(typeof SAFETY_CHECKS)[number], string> = {
  backup: 'Last verified backup',
  'restore-test': 'Proven restorable',
  'backup-space': 'Room for the next backup',
  migration: 'Migration',
};

function isSafetyCheck(id: string): id is (typeof SAFETY_CHECKS)[number] {
  return (SAFETY_CHECKS as readonly string[]).includes(id);
}

/** What to do about a check that is not ok, when its checker knows. */
function fixOf(c: Check): string | null {
  return c.status !== 'ok' && c.fix ? forScreen(c.fix) : null;
}

export interface CheckCardModel {
  id: string;
  label: string;
  /** Decides the card's colour band. */
  tone: ShownStatus;
  badge: Badge;
  detail: string;
  metrics: MetricLine[];
  /** The latency chart under the numbers, when any sample has a latency. */
  chart: { caption: string; samples: History['checks'][string] } | null;
  fix: string | null;
}

/** One card per check that is not a data-safety line, in the summary's order. */
export function checkCards(
  checks: Check[],
  view: StatusView,
  history: History | null,
): CheckCardModel[] {
  return checks
    .filter((c) => !isSafetyCheck(c.id))
    .map((c) => {
      const line = view.checks[c.id]!;
      const samples = history?.checks[c.id];
      return {
        id: c.id,
        label: c.label,
        tone: line.stale ? 'unknown' : c.status,
        badge: badgeOf(line),
        detail: forScreen(c.detail),
        metrics: [
          ...(c.latencyMs !== null
            ? [{ label: 'Latency', value: formatLatency(c.latencyMs) }]
            : []),
          ...metricLines(c.metrics),
        ],
        chart: samples?.some((s) => s.latencyMs !== null)
          ? { caption: `Latency, last ${samples.length} checks`, samples }
          : null,
        fix: fixOf(c),
      };
    });
}

/** A safety line's headline: the fact first ("At 10 Jan 2026, 12:00"), the detail below. */
export function safetyHeadline(check: Check): string {
  const proof = /Last proven restorable at (\S+?)[ (]/.exec(check.detail);
  if (check.id === 'restore-test' && proof)
    return `Last proven restorable at ${formatTime(proof[1]!)}`;
  if (check.id === 'backup') {
    const at = /\((\d{4}-\d\d-\d\dT[^)]+)\)/.exec(check.detail);
    if (at) return `At ${formatTime(at[1]!)}`;
  }
  return check.detail.split(/(?<=\.)\s/)[0] ?? check.detail;
}

export interface SafetyLineModel {
  id: string;
  title: string;
  badge: Badge;
  fact: string;
  /** The whole detail, when the headline shortened it. */
  detail: string | null;
  fix: string | null;
}

/** The data-safety lines in their fixed order; the checks not run yet are left out. */
export function safetyLines(health: HealthSummaryDto | null, view: StatusView): SafetyLineModel[] {
  return SAFETY_CHECKS.flatMap((id) => {
    const c = health?.checks.find((check) => check.id === id);
    if (!c) return [];
    const fact = safetyHeadline(c);
    return [
      {
        id,
        title: SAFETY_TITLE[id],
        badge: badgeOf(view.checks[id]!),
        fact,
        detail: fact === c.detail ? null : forScreen(c.detail),
        fix: fixOf(c),
      },
    ];
  });
}
