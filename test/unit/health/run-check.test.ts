import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { runCheck } from '../../../main/core/health/run-check.js';
import type { CheckResult, HealthChecker } from '../../../main/core/health/types.js';
import { FakeClock } from './fake-clock.js';

function checker(
  check: () => Promise<CheckResult>,
  extra: Partial<HealthChecker> = {},
): HealthChecker {
  return { id: 'probe', service: 'cache', label: 'Probe', applicable: () => true, check, ...extra };
}

describe('runCheck', () => {
  it('passes a good result through with who, when and how long', async () => {
    const clock = new FakeClock(1000);
    const pending = runCheck(
      checker(
        () =>
          new Promise((resolve) =>
            clock.setTimeout(
              () => resolve({ status: 'ok', latencyMs: 1.5, detail: 'fine', metrics: { keys: 3 } }),
              40,
            ),
          ),
        { backend: 'redis', metricLabels: { path: '/x' } },
      ),
      { timeoutMs: 100, clock },
    );
    await clock.advance(40);
    expect(await pending).toEqual({
      status: 'ok',
      latencyMs: 1.5,
      detail: 'fine',
      metrics: { keys: 3 },
      id: 'probe',
      service: 'cache',
      label: 'Probe',
      backend: 'redis',
      metricLabels: { path: '/x' },
      at: 1040,
      durationMs: 40,
    });
    expect(clock.pending).toBe(0); // the deadline timer was cleared
  });

  it('counts a hung check as down with "timed out after N ms"', async () => {
    const clock = new FakeClock();
    const pending = runCheck(
      checker(() => new Promise(() => undefined)),
      { timeoutMs: 250, clock },
    );
    await clock.advance(249);
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    const o = await pending;
    expect(o.status).toBe('down');
    expect(o.detail).toContain('timed out after 250 ms');
    expect(o.durationMs).toBe(250);
    expect(o.fix).toBeTruthy();
  });

  it("prefers the checker's own timeout", async () => {
    const clock = new FakeClock();
    const pending = runCheck(
      checker(() => new Promise(() => undefined), { timeoutMs: 10 }),
      { timeoutMs: 1000, clock },
    );
    await clock.advance(10);
    expect((await pending).detail).toContain('timed out after 10 ms');
  });

  it('turns a throw (sync or async) into down, keeping a NovaError fix', async () => {
    const sync = await runCheck(
      checker(() => {
        throw new NovaError('CONN_REFUSED', 'nothing listens on 6390', { fix: 'Start Redis.' });
      }),
      { timeoutMs: 100 },
    );
    expect(sync).toMatchObject({ status: 'down', latencyMs: null, fix: 'Start Redis.' });
    expect(sync.detail).toContain('nothing listens on 6390');
    const async = await runCheck(
      checker(() => Promise.reject(new Error('boom'))),
      { timeoutMs: 100 },
    );
    expect(async.status).toBe('down');
    expect(async.detail).toContain('boom');
  });

  it.each([
    [null, 'it is not an object'],
    [{ status: 'fine', latencyMs: 1, detail: 'x' }, 'status "fine" is not ok, degraded or down'],
    [{ status: 'ok', latencyMs: 1 }, 'detail is not a string'],
    [{ status: 'ok', latencyMs: '3', detail: 'x' }, 'latencyMs is neither a number nor null'],
    [{ status: 'ok', latencyMs: NaN, detail: 'x' }, 'latencyMs is neither a number nor null'],
    [
      { status: 'ok', latencyMs: 1, detail: 'x', metrics: { a: 'x' } },
      'metric "a" is not a number',
    ],
    [{ status: 'ok', latencyMs: 1, detail: 'x', fix: 3 }, 'fix is not a string'],
  ])('refuses a malformed result %j as down: %s', async (bad, why) => {
    const o = await runCheck(
      checker(() => Promise.resolve(bad as unknown as CheckResult)),
      { timeoutMs: 100 },
    );
    expect(o.status).toBe('down');
    expect(o.detail).toContain('returned an invalid result');
    expect(o.detail).toContain(why);
  });

  it('reports a bad timeout as a down outcome that says so', async () => {
    const o = await runCheck(
      checker(() => Promise.resolve({ status: 'ok', latencyMs: 1, detail: 'x' })),
      {
        timeoutMs: -5,
      },
    );
    expect(o.status).toBe('down');
    expect(o.detail).toMatch(/timeout .* must be a positive whole number of milliseconds, got -5/);
  });
});
