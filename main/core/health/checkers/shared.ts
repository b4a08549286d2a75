/**
 * Small helpers every checker shares: durations people read, and turning a
 * store's own `health()` answer into a CheckResult.
 */
import { performance } from 'node:perf_hooks';
import { NovaError } from '../../errors.js';
import type { ServiceHealth } from '../../stores/types.js';
import type { CheckResult } from '../types.js';

/** A duration as a person says it: "45 s", "12 min", "3.5 h", "2.0 days". */
export function formatAge(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} days`;
}

/** Milliseconds since `started` (a performance.now() reading), to 0.01 ms. */
export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** A store's health() as a CheckResult (same status, latency, detail and fix). */
export function fromServiceHealth(h: ServiceHealth, metrics?: Record<string, number>): CheckResult {
  return {
    status: h.status,
    latencyMs: h.latencyMs,
    detail: h.detail,
    ...(h.fix ? { fix: h.fix } : {}),
    ...(metrics && Object.keys(metrics).length > 0 ? { metrics } : {}),
  };
}

/** Resolves a backend that may have been closed since the checkers were built. */
export function requireBackend<T>(value: T | undefined, label: string): T {
  if (value === undefined) {
    throw new NovaError(
      'NOT_INITIALIZED',
      `${label} cannot be checked: the data layer is closed.`,
      {
        fix: 'Initialise the data layer again (restart nova-db serve or the app).',
      },
    );
  }
  return value;
}
