/**
 * The service rows: status from the health rollup (not the lifecycle), the
 * Start/Stop offer from the lifecycle, and no button where nothing runs
 * for Nova to start (embedded, external, MongoDB kept in PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import { serviceRow } from '../../../../renderer/screens/dashboard-services-model.js';
import { statusView } from '../../../../renderer/status/status-view.js';
import type { HealthSummaryDto } from '../../../../shared-contract/methods/health.js';
import type { ServiceStatusDto } from '../../../../shared-contract/methods/services.js';

const at = Date.parse('2026-01-10T10:00:00Z');
const health: HealthSummaryDto = {
  status: 'degraded',
  at,
  reasons: [],
  checks: [],
  services: [
    { service: 'redis', role: 'cache', label: 'Redis', status: 'down', detail: '', checkId: null },
  ],
};
const live = statusView({ health, connected: true, lostAt: null }, at);
const service = (extra: Partial<ServiceStatusDto>): ServiceStatusDto => ({
  service: 'redis',
  provider: 'native',
  state: 'healthy',
  since: new Date(at - 120_000).toISOString(),
  ...extra,
});

describe('service rows', () => {
  it('a running native server: rollup status, its URL, Stop offered', () => {
    const row = serviceRow(service({ url: 'redis://127.0.0.1:6400', port: 6400 }), live, at);
    expect(row).toEqual({
      service: 'redis',
      label: 'Redis',
      runs: 'Native',
      badge: { status: 'down', text: 'Down' },
      notes: [],
      where: 'redis://127.0.0.1:6400',
      since: '2 min ago',
      action: {
        kind: 'button',
        verb: 'Stop',
        busyText: 'Stopping…',
        doneWord: 'stopped',
        label: 'Stop Redis',
      },
    });
  });

  it('a failed start: Start offered, the lifecycle and the reason worded for the screen', () => {
    const row = serviceRow(
      service({ state: 'failed', port: 6400, reason: 'Set REDIS_URL.' }),
      live,
      at,
    );
    expect(row.notes).toEqual([
      'The service is failed to start.',
      'Set the Redis connection in Setup.',
    ]);
    expect(row.where).toBe('port 6400');
    expect(row.action).toMatchObject({ kind: 'button', verb: 'Start', label: 'Start Redis' });
  });

  it('nothing to start or stop: embedded, external, MongoDB documents in PostgreSQL', () => {
    expect(
      serviceRow(service({ service: 'postgres', provider: 'embedded' }), live, at),
    ).toMatchObject({
      where: 'inside Nova',
      action: { kind: 'none', text: 'runs inside Nova' },
      // No rollup entry: unknown, never a guess.
      badge: { status: 'unknown', text: 'Unknown' },
    });
    expect(
      serviceRow(service({ provider: 'external', url: 'redis://cache:6379' }), live, at).action,
    ).toEqual({
      kind: 'none',
      text: 'run elsewhere',
    });
    expect(serviceRow(service({ service: 'mongo' }), live, at)).toMatchObject({
      where: 'in PostgreSQL (JSONB)',
      action: { kind: 'none', text: 'part of PostgreSQL' },
    });
  });

  it('unreachable: the rollup status greyed as "Last known"', () => {
    const lost = statusView({ health, connected: false, lostAt: at }, at + 10_000);
    expect(serviceRow(service({}), lost, at).badge).toEqual({
      status: 'unknown',
      text: 'Last known: Down',
    });
  });
});
