/**
 * Runs one checker under a deadline and always comes back with an outcome:
 * a checker that throws, hangs, or returns something malformed is itself a
 * finding (`down`, with why), never an exception that stops the monitor.
 */
import { NovaError, isNovaError } from '../errors.js';
import { systemClock, type MonitorClock } from './clock.js';
import {
  HEALTH_STATUSES,
  type CheckOutcome,
  type CheckResult,
  type HealthChecker,
} from './types.js';

export interface RunCheckOptions {
  /** Used unless the checker sets its own `timeoutMs`. */
  timeoutMs: number;
  clock?: MonitorClock;
}

/** Checks a timeout is a usable whole number of milliseconds; `what` names the setting in the error. */
export function assertTimeout(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${what} must be a positive whole number of milliseconds, got ${String(value)}.`,
      { fix: `Pass e.g. 5000 for five seconds.` },
    );
  }
}

export async function runCheck(
  checker: HealthChecker,
  options: RunCheckOptions,
): Promise<CheckOutcome> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = checker.timeoutMs ?? options.timeoutMs;
  const started = clock.now();
  let result: CheckResult;
  try {
    assertTimeout(timeoutMs, `The timeout of check "${checker.id}"`);
    result = validateResult(checker, await withDeadline(checker, timeoutMs, clock));
  } catch (err) {
    result = failedResult(checker, err);
  }
  const at = clock.now();
  return {
    ...result,
    id: checker.id,
    service: checker.service,
    label: checker.label,
    ...(checker.backend !== undefined ? { backend: checker.backend } : {}),
    ...(checker.metricLabels !== undefined ? { metricLabels: checker.metricLabels } : {}),
    at,
    durationMs: at - started,
  };
}

class CheckTimeout extends Error {}

function withDeadline(
  checker: HealthChecker,
  timeoutMs: number,
  clock: MonitorClock,
): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new CheckTimeout(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    // A check that throws synchronously is caught like one that rejects.
    Promise.resolve()
      .then(() => checker.check())
      .then(resolve, reject)
      .finally(() => clock.clearTimeout(timer));
  });
}

function failedResult(checker: HealthChecker, err: unknown): CheckResult {
  if (err instanceof CheckTimeout) {
    return {
      status: 'down',
      latencyMs: null,
      detail: `${checker.label}: the check ${err.message}.`,
      fix: `${checker.label} does not answer; check that it is running and not overloaded.`,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    status: 'down',
    latencyMs: null,
    detail: `${checker.label}: the check failed: ${message}`,
    ...(isNovaError(err) && err.fix ? { fix: err.fix } : {}),
  };
}

/** A third-party checker's result is input like any other: refuse what the aggregate cannot use. */
function validateResult(checker: HealthChecker, value: unknown): CheckResult {
  const r = value as Partial<CheckResult> | null;
  const problems: string[] = [];
  if (typeof r !== 'object' || r === null) problems.push('it is not an object');
  else {
    if (!HEALTH_STATUSES.includes(r.status as never))
      problems.push(`status ${JSON.stringify(r.status)} is not ok, degraded or down`);
    if (typeof r.detail !== 'string') problems.push('detail is not a string');
    if (r.latencyMs !== null && !(typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs)))
      problems.push('latencyMs is neither a number nor null');
    if (r.fix !== undefined && typeof r.fix !== 'string') problems.push('fix is not a string');
    if (r.metrics !== undefined) {
      const bad = Object.entries(r.metrics ?? {}).find(([, v]) => typeof v !== 'number');
      if (typeof r.metrics !== 'object' || r.metrics === null)
        problems.push('metrics is not an object');
      else if (bad) problems.push(`metric "${bad[0]}" is not a number`);
    }
  }
  if (problems.length > 0) {
    throw new NovaError(
      'INTERNAL',
      `check "${checker.id}" returned an invalid result (${problems.join('; ')})`,
      { fix: 'This is a bug in the checker: it must resolve with { status, latencyMs, detail }.' },
    );
  }
  return r as CheckResult;
}
