import { describe, expect, it } from 'vitest';
import { aggregate, worse } from '../../../main/core/health/aggregate.js';
import type { HealthService, HealthStatus } from '../../../main/core/health/types.js';
import { outcome } from './outcomes.js';

const allOk = (['relational', 'documents', 'cache', 'disk', 'backup', 'services'] as const).map(
  (s) => outcome(s, 'ok'),
);

describe('aggregate (pure)', () => {
  it('is ok with no reasons when every check is ok', () => {
    const agg = aggregate(allOk);
    expect(agg.status).toBe('ok');
    expect(agg.reasons).toEqual([]);
    expect(agg.checks).toHaveLength(6);
  });

  // service, its status → aggregate status
  const table: [HealthService, HealthStatus, HealthStatus][] = [
    ['relational', 'down', 'down'],
    ['relational', 'degraded', 'degraded'],
    ['documents', 'down', 'degraded'],
    ['documents', 'degraded', 'degraded'],
    ['cache', 'down', 'degraded'],
    ['cache', 'degraded', 'degraded'],
    ['disk', 'down', 'down'],
    ['disk', 'degraded', 'degraded'],
    ['backup', 'degraded', 'degraded'],
    ['backup', 'down', 'degraded'],
    ['services', 'down', 'degraded'],
    ['services', 'degraded', 'degraded'],
  ];
  it.each(table)(
    '%s %s makes the aggregate %s, with one reason and a fix',
    (service, status, expected) => {
      const checks = allOk.map((o) => (o.service === service ? outcome(service, status) : o));
      const agg = aggregate(checks);
      expect(agg.status).toBe(expected);
      expect(agg.reasons).toHaveLength(1);
      const [reason] = agg.reasons;
      expect(reason).toMatchObject({ service, status, effect: expected });
      expect(reason!.message).toContain(`is ${status}: `);
      expect(reason!.fix.length).toBeGreaterThan(10);
    },
  );

  it("names the service, the finding and its consequence, and keeps the checker's fix", () => {
    const agg = aggregate([
      outcome('relational', 'down', {
        detail: 'Cannot connect to PostgreSQL at 127.0.0.1:5999/nova: connection refused.',
        fix: 'Start PostgreSQL.',
      }),
    ]);
    expect(agg.status).toBe('down');
    expect(agg.reasons[0]).toEqual({
      check: 'postgres',
      service: 'relational',
      label: 'PostgreSQL',
      status: 'down',
      effect: 'down',
      message:
        'PostgreSQL is down: Cannot connect to PostgreSQL at 127.0.0.1:5999/nova: connection refused — nothing can be read or written until it is back.',
      fix: 'Start PostgreSQL.',
    });
  });

  it('supplies a default fix for its kind of service when the checker has none', () => {
    const agg = aggregate([outcome('relational', 'ok'), outcome('cache', 'down')]);
    expect(agg.reasons[0]!.fix).toMatch(/Redis|REDIS_URL/);
    expect(agg.reasons[0]!.message).toContain('the cache is bypassed');
  });

  it('does not repeat a consequence the detail already states', () => {
    const agg = aggregate([
      outcome('cache', 'down', {
        detail:
          'Redis at 127.0.0.1:6390 is down; the cache is bypassed and reads go to the database.',
      }),
    ]);
    expect(agg.reasons[0]!.message).toBe(
      'Redis is down: Redis at 127.0.0.1:6390 is down; the cache is bypassed and reads go to the database.',
    );
  });

  it('puts the reasons that make it down before those that only degrade it', () => {
    const agg = aggregate([
      outcome('cache', 'down'),
      outcome('backup', 'degraded'),
      outcome('relational', 'down'),
      outcome('disk', 'degraded'),
    ]);
    expect(agg.status).toBe('down');
    expect(agg.reasons.map((r) => r.check)).toEqual(['postgres', 'redis', 'backup', 'disk']);
  });

  it('never claims ok on no evidence: no checks is down with a reason', () => {
    const agg = aggregate([], 42);
    expect(agg.status).toBe('down');
    expect(agg.at).toBe(42);
    expect(agg.reasons[0]!.message).toMatch(/No health check ran/);
  });

  it('is timed by its newest outcome and does not touch its input', () => {
    const input = Object.freeze([
      Object.freeze(outcome('relational', 'ok', { at: 10 })),
      Object.freeze(outcome('cache', 'down', { at: 30 })),
      Object.freeze(outcome('disk', 'ok', { at: 20 })),
    ]);
    const a = aggregate(input, 99);
    expect(a.at).toBe(30);
    expect(aggregate(input, 99)).toEqual(a);
  });

  it('worse() orders ok < degraded < down', () => {
    expect(worse('ok', 'degraded')).toBe('degraded');
    expect(worse('down', 'degraded')).toBe('down');
    expect(worse('ok', 'ok')).toBe('ok');
  });
});
