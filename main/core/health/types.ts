/**
 * The vocabulary of health monitoring (docs/ARCHITECTURE.md#health, #registered-health-checkers): a
 * checker is a registered object that answers one question about one part of
 * the appliance; the monitor runs them, the aggregate turns their outcomes
 * into ok / degraded / down with reasons, and the tray, the dashboard and
 * `/health` / `/metrics` only ever read those outcomes.
 */

// Each list is the one source: its type is derived from it, so neither can drift from the other.
export const HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;

export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * What a checker is about. The aggregate weighs a finding by it: without the
 * relational store nothing works, while a missing cache only slows things down.
 */
export const HEALTH_SERVICES = [
  'relational',
  'documents',
  'cache',
  'disk',
  'backup',
  'services',
  'migration',
] as const;

export type HealthService = (typeof HEALTH_SERVICES)[number];

/** What one run of one checker found. */
export interface CheckResult {
  status: HealthStatus;
  /** Round trip of the probe in milliseconds; null when nothing answered. */
  latencyMs: number | null;
  /** What was found, in words a person can read (never a secret). */
  detail: string;
  /** What a person can do about a degraded/down finding, when the checker knows. */
  fix?: string;
  /**
   * Numbers for `/metrics` and charts, e.g. `{ pool_idle: 3 }`. Keys known to
   * the metrics catalog (metrics.ts) get their own Prometheus family; any
   * other key is exported generically, so new checkers need no catalog edit.
   */
  metrics?: Record<string, number>;
}

/** A registered health check (docs/ARCHITECTURE.md#registered-health-checkers). */
export interface HealthChecker {
  /** Stable, unique among registered checkers; used as the `check` label and history key. */
  readonly id: string;
  readonly service: HealthService;
  /** Human name, e.g. "PostgreSQL" or "Free disk"; shown in the tray and in reasons. */
  readonly label: string;
  /** The backend behind it when there is one (`postgres`, `sqlite`, `redis`…). */
  readonly backend?: string;
  /** Extra labels on every metric this checker exports, e.g. `{ path: "/var/lib/nova" }`. */
  readonly metricLabels?: Readonly<Record<string, string>>;
  /** Per-check timeout overriding the monitor's default. */
  readonly timeoutMs?: number;
  /**
   * False when the check means nothing in this setup; then it is skipped.
   * Every built-in checker applies in every setup and returns true; the hook
   * is for a checker whose subject may be absent.
   */
  applicable(): boolean;
  /**
   * Probes once. Should resolve with `down` rather than throw for an ordinary
   * outage; a throw or a hang is still turned into a `down` outcome.
   */
  check(): Promise<CheckResult>;
}

/** A CheckResult with who produced it and when: what the aggregate, history and metrics read. */
export interface CheckOutcome extends CheckResult {
  id: string;
  service: HealthService;
  label: string;
  backend?: string;
  metricLabels?: Readonly<Record<string, string>>;
  /** When the check finished (epoch ms of the monitor's clock). */
  at: number;
  /** How long the whole check took, including any timeout, in ms. */
  durationMs: number;
}
