/**
 * The dashboard's view-models: the overall line with its reasons, the check
 * cards (data-safety checks left out, latency first, chart only with
 * latency samples), the safety lines (fact first, detail only when
 * shortened), and everything greyed "Last known" when Nova is unreachable.
 */
import { describe, expect, it } from 'vitest';
import {
  checkCards,
  overviewModel,
  safetyHeadline,
  safetyLines,
} from '../../../../renderer/screens/dashboard-model.js';
import { formatTime } from '../../../../renderer/lib/format.js';
import { statusView } from '../../../../renderer/status/status-view.js';
import type { HealthSummaryDto } from '../../../../shared-contract/methods/health.js';

type Check = HealthSummaryDto['checks'][number];
const at = Date.parse('2026-01-10T10:00:00Z');
const check = (id: string, status: Check['status'], extra: Partial<Check> = {}): Check => ({
  id,
  service: 'relational',
  label: id.toUpperCase(),
  status,
  latencyMs: null,
  detail: `${id} detail.`,
  at,
  durationMs: 1,
  ...extra,
});

const health: HealthSummaryDto = {
  status: 'degraded',
  at,
  reasons: [
    {
      check: 'cache',
      service: 'cache',
      label: 'Redis',
      status: 'down',
      effect: 'degraded',
      message: 'Redis does not answer.',
      fix: 'Start it (nova-db up).',
    },
  ],
  checks: [
    check('postgres', 'ok', {
      latencyMs: 2.5,
      metrics: { pool_max: 10, pool_active: 2, pool_idle: 3 },
      fix: 'not shown while ok',
    }),
    check('cache', 'down', { fix: 'Check REDIS_URL.' }),
    check('backup', 'ok', {
      detail: 'Last verified backup nova-1 (2026-01-09T08:00:00.000Z). It covers this setup.',
    }),
    check('backup-space', 'degraded', { detail: 'Little room.', fix: 'Free space.' }),
  ],
  services: [],
};

const live = statusView({ health, connected: true, lostAt: null }, at + 3_000);
const lost = statusView({ health, connected: false, lostAt: at + 1_000 }, at + 60_000);

describe('overview', () => {
  it('live: the aggregate with its reasons, worded for the screen', () => {
    expect(overviewModel(health, live)).toEqual({
      tone: 'degraded',
      status: 'degraded',
      headline: 'Degraded',
      checked: 'checked just now',
      reasons: [
        {
          effect: 'degraded',
          message: 'Redis does not answer.',
          fix: 'Start it (the Start buttons on the Dashboard).',
        },
      ],
    });
  });

  it('unreachable: grey tone, "Last known" headline, the last status kept for data-status', () => {
    const o = overviewModel(health, lost);
    expect(o.tone).toBe('unknown');
    expect(o.status).toBe('degraded');
    expect(o.headline).toBe('Last known: Degraded');
  });

  it('before the first summary: no reasons', () => {
    expect(
      overviewModel(null, statusView({ health: null, connected: true, lostAt: null }, at)).reasons,
    ).toEqual([]);
  });
});

describe('check cards', () => {
  it('leave the data-safety checks to their panel and keep the summary order', () => {
    expect(checkCards(health.checks, live, null).map((c) => c.id)).toEqual(['postgres', 'cache']);
  });

  it('show latency first, then the metrics with meters, and a fix only when not ok', () => {
    const [pg, cache] = checkCards(health.checks, live, null);
    expect(pg!.metrics[0]).toEqual({ label: 'Latency', value: '2.5 ms' });
    expect(pg!.metrics[1]).toMatchObject({ label: 'Pool usage', ratio: 0.5 });
    expect(pg!.fix).toBeNull();
    expect(pg!.badge).toEqual({ status: 'ok', text: 'OK' });
    expect(cache!.metrics).toEqual([]);
    expect(cache!.fix).toBe('Check the Redis connection in Setup.');
    expect(cache!.tone).toBe('down');
  });

  it('chart only when a sample has a latency', () => {
    const samples = (ms: number | null) => [{ at, status: 'ok' as const, latencyMs: ms }];
    const history = {
      overall: [],
      intervalMs: 1000,
      checks: { postgres: samples(3), cache: samples(null) },
    };
    const [pg, cache] = checkCards(health.checks, live, history);
    expect(pg!.chart).toEqual({ caption: 'Latency, last 1 checks', samples: samples(3) });
    expect(cache!.chart).toBeNull();
  });

  it('unreachable: every badge says "Last known" in grey', () => {
    const cards = checkCards(health.checks, lost, null);
    expect(cards.map((c) => c.badge)).toEqual([
      { status: 'unknown', text: 'Last known: OK' },
      { status: 'unknown', text: 'Last known: Down' },
    ]);
    expect(cards.every((c) => c.tone === 'unknown')).toBe(true);
  });
});

describe('data safety', () => {
  it('lines in the fixed order, checks not run yet left out, fact first', () => {
    const lines = safetyLines(health, live);
    expect(lines.map((l) => l.id)).toEqual(['backup', 'backup-space']);
    expect(lines[0]).toMatchObject({
      title: 'Last verified backup',
      fact: `At ${formatTime('2026-01-09T08:00:00.000Z')}`,
      detail: health.checks[2]!.detail,
      fix: null,
    });
    // The headline is the whole detail: it is not repeated below.
    expect(lines[1]).toMatchObject({ fact: 'Little room.', detail: null, fix: 'Free space.' });
    expect(lines[1]!.badge).toEqual({ status: 'degraded', text: 'Degraded' });
  });

  it('nothing to show before the first check', () => {
    expect(safetyLines(null, live)).toEqual([]);
  });

  it('headline: the restore proof as a time, else the first sentence', () => {
    expect(
      safetyHeadline(
        check('restore-test', 'ok', {
          detail: 'Last proven restorable at 2026-01-09T08:00:00.000Z (nova-1). Next in 6 h.',
        }),
      ),
    ).toBe(`Last proven restorable at ${formatTime('2026-01-09T08:00:00.000Z')}`);
    expect(safetyHeadline(check('migration', 'ok', { detail: 'None unfinished. Fine.' }))).toBe(
      'None unfinished.',
    );
  });
});
