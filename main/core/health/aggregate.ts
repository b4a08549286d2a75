/**
 * The aggregate health of the appliance: a pure function of the latest
 * outcome of every check (docs/ARCHITECTURE.md#registered-health-checkers), so the tray, `/health`,
 * notifications and tests all agree on what "degraded" means.
 *
 * Not every finding weighs the same: without the relational store nothing
 * works, so it being down is "down"; a missing cache or document store only
 * slows things down or delays audit delivery, so that is "degraded".
 */
import type { CheckOutcome, HealthService, HealthStatus } from './types.js';

export type ProblemStatus = Exclude<HealthStatus, 'ok'>;

/** One reason the aggregate is not ok, with what a person can do about it. */
export interface HealthReason {
  /** The check that found it. */
  check: string;
  service: HealthService;
  label: string;
  /** What the check itself reported. */
  status: ProblemStatus;
  /** What it does to the aggregate (a down cache only degrades the appliance). */
  effect: ProblemStatus;
  message: string;
  /** Always set: the checker's own fix, else a default for its kind of service. */
  fix: string;
}

export interface HealthAggregate {
  status: HealthStatus;
  /** Epoch ms of the newest outcome (or of `now` when there are none). */
  at: number;
  /** Worst first, then in the order the checks were given. */
  reasons: HealthReason[];
  checks: CheckOutcome[];
}

/** How a finding of each kind of service moves the aggregate. */
const EFFECT: Record<HealthService, Record<ProblemStatus, ProblemStatus>> = {
  relational: { degraded: 'degraded', down: 'down' },
  documents: { degraded: 'degraded', down: 'degraded' },
  cache: { degraded: 'degraded', down: 'degraded' },
  // A full disk stops every write, so running out is as bad as losing the database.
  disk: { degraded: 'degraded', down: 'down' },
  backup: { degraded: 'degraded', down: 'degraded' },
  // The store checks measure real reachability; orchestration state adds context.
  services: { degraded: 'degraded', down: 'degraded' },
  // A half-finished migration endangers no running data, but the API must not use its target yet.
  migration: { degraded: 'degraded', down: 'degraded' },
};

interface Consequence {
  text: string;
  /** Left out when the checker's detail already says as much. */
  unless?: RegExp;
}

/** What the outage means for users, appended to the reason. */
const CONSEQUENCE: Partial<Record<HealthService, Partial<Record<ProblemStatus, Consequence>>>> = {
  relational: { down: { text: 'nothing can be read or written until it is back' } },
  documents: {
    down: {
      text: 'audit entries wait in the outbox and are delivered when it is back',
      unless: /outbox/i,
    },
  },
  cache: {
    down: { text: 'the cache is bypassed, so reads go to the database', unless: /bypass/i },
  },
  disk: {
    down: { text: 'writes and backups fail when the disk fills up', unless: /writes may fail/i },
  },
};

/** Used when a checker knows no better fix. */
const DEFAULT_FIX: Record<HealthService, string> = {
  relational:
    'Start the relational database (Dashboard › Services) or correct its connection in Setup, then check its log.',
  documents:
    'Start MongoDB (Dashboard › Services) or correct its connection in Setup, then check its log.',
  cache:
    'Start Redis (Dashboard › Services) or correct its connection in Setup; the cache reconnects by itself.',
  disk: 'Free space on the disk that holds the data directory, or move the data directory to a larger one.',
  backup: 'Use Back up now (Backups) and check the backup schedule and the log.',
  services: 'Open the Dashboard for each service’s state, then start the stopped ones.',
  migration: 'Open Migration and resume or discard the unfinished attempt.',
};

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/** The worse of two statuses. */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** Folds the outcomes of one run into ok / degraded / down with reasons. Pure. */
export function aggregate(outcomes: readonly CheckOutcome[], now = 0): HealthAggregate {
  if (outcomes.length === 0) {
    // Nothing checked means nothing is known: never claim "ok" on no evidence.
    return {
      status: 'down',
      at: now,
      checks: [],
      reasons: [
        {
          check: 'health',
          service: 'services',
          label: 'Health monitor',
          status: 'down',
          effect: 'down',
          message: 'No health check ran, so the state of the data services is unknown.',
          fix: 'Initialise the data layer and register its health checks before serving.',
        },
      ],
    };
  }
  let status: HealthStatus = 'ok';
  const reasons: HealthReason[] = [];
  for (const o of outcomes) {
    if (o.status === 'ok') continue;
    const effect = EFFECT[o.service]?.[o.status] ?? 'degraded';
    status = worse(status, effect);
    reasons.push({
      check: o.id,
      service: o.service,
      label: o.label,
      status: o.status,
      effect,
      message: reasonMessage(o, o.status),
      fix: o.fix ?? DEFAULT_FIX[o.service] ?? DEFAULT_FIX.services,
    });
  }
  // Stable sort: the worst effect first, the given order within one effect.
  reasons.sort((a, b) => RANK[b.effect] - RANK[a.effect]);
  const at = outcomes.reduce((max, o) => Math.max(max, o.at), 0);
  return { status, at, reasons, checks: [...outcomes] };
}

function reasonMessage(o: CheckOutcome, status: ProblemStatus): string {
  const detail = o.detail.trim().replace(/\.$/, '');
  const consequence = CONSEQUENCE[o.service]?.[status];
  const add = consequence && !consequence.unless?.test(detail) ? ` — ${consequence.text}` : '';
  return `${o.label} is ${status}: ${detail}${add}.`;
}
