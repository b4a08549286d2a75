import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../main/core/errors.js';
import {
  canTransition,
  ServiceStateMachine,
  type StateChange,
} from '../../../main/core/services/service-state-machine.js';
import type { ServiceState } from '../../../main/core/services/types.js';

const STATES: ServiceState[] = ['stopped', 'starting', 'healthy', 'degraded', 'stopping', 'failed'];

/** The documented lifecycle, written out independently of the implementation's table. */
const ALLOWED = new Set([
  'stopped>starting',
  'starting>healthy',
  'starting>stopping',
  'healthy>degraded',
  'healthy>stopping',
  'degraded>healthy',
  'degraded>stopping',
  'stopping>stopped',
  'failed>starting',
  'failed>stopping',
  // any (but failed itself) → failed
  'stopped>failed',
  'starting>failed',
  'healthy>failed',
  'degraded>failed',
  'stopping>failed',
]);

/** Drives a fresh machine into `state` through legal moves. */
function machineIn(state: ServiceState): ServiceStateMachine {
  const m = new ServiceStateMachine('postgres');
  const path: Record<ServiceState, [ServiceState, string?][]> = {
    stopped: [],
    starting: [['starting']],
    healthy: [['starting'], ['healthy']],
    degraded: [['starting'], ['healthy'], ['degraded', 'probe failed']],
    stopping: [['starting'], ['healthy'], ['stopping']],
    failed: [['starting'], ['failed', 'initdb failed']],
  };
  for (const [to, reason] of path[state]) m.transition(to, reason);
  expect(m.state).toBe(state);
  return m;
}

describe('ServiceStateMachine', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const legal = ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to} is ${legal ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(legal);
        const m = machineIn(from);
        const events: StateChange[] = [];
        m.on('state-changed', (c) => events.push(c));
        const reason = to === 'failed' || to === 'degraded' ? 'because' : undefined;
        if (legal) {
          m.transition(to, reason);
          expect(m.state).toBe(to);
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({ service: 'postgres', from, to });
          if (reason) expect(events[0]?.reason).toBe(reason);
        } else {
          let thrown: unknown;
          try {
            m.transition(to, reason);
          } catch (err) {
            thrown = err;
          }
          expect(isNovaError(thrown, 'INTERNAL')).toBe(true);
          expect((thrown as Error).message).toContain(`${from} → ${to}`);
          expect(m.state).toBe(from);
          expect(events).toHaveLength(0);
        }
      });
    }
  }

  it('requires a reason for failed and degraded', () => {
    const m = machineIn('healthy');
    expect(() => m.transition('degraded')).toThrow(/reason is required/);
    expect(() => m.transition('failed', '')).toThrow(/reason is required/);
    expect(m.state).toBe('healthy');
  });

  it('records since, reason and fix and emits them', () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const m = new ServiceStateMachine('redis', { now: () => now });
    const events: StateChange[] = [];
    m.on('state-changed', (c) => events.push(c));
    now = new Date('2025-01-01T00:00:05Z');
    m.transition('starting');
    m.fail('redis-server not found', 'apt-get install redis-server');
    expect(m.state).toBe('failed');
    expect(m.reason).toBe('redis-server not found');
    expect(m.fix).toBe('apt-get install redis-server');
    expect(m.since).toEqual(now);
    expect(events.map((e) => `${e.from}>${e.to}`)).toEqual(['stopped>starting', 'starting>failed']);
    expect(events[1]).toMatchObject({
      reason: 'redis-server not found',
      fix: 'apt-get install redis-server',
      at: now,
    });
    // fail() on a failed machine keeps the first (useful) reason and emits nothing.
    m.fail('second reason');
    expect(m.reason).toBe('redis-server not found');
    expect(events).toHaveLength(2);
    // failed → starting clears the reason.
    m.transition('starting');
    expect(m.reason).toBeUndefined();
  });

  it('walks the full lifecycle including degraded ⇄ healthy', () => {
    const m = new ServiceStateMachine('mongo');
    const seen: string[] = [];
    m.on('state-changed', (c) => seen.push(c.to));
    m.transition('starting');
    m.transition('healthy');
    m.transition('degraded', 'exited');
    m.transition('healthy');
    m.transition('degraded', 'exited again');
    m.transition('stopping');
    m.transition('stopped');
    expect(seen).toEqual([
      'starting',
      'healthy',
      'degraded',
      'healthy',
      'degraded',
      'stopping',
      'stopped',
    ]);
  });
});
