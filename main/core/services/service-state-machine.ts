/**
 * Every service is a small state machine (main/core/services/README.md, docs/ARCHITECTURE.md#services-are-state-machines):
 *
 *   stopped → starting → healthy ⇄ degraded → stopping → stopped
 *   any → failed (with a reason a person can act on); failed → starting
 *
 * Illegal moves throw instead of being silently accepted, because a wrong
 * state shown in the tray ("healthy" while the server is being stopped) is
 * worse than a loud bug. Listeners get typed `state-changed` events.
 */
import { EventEmitter } from 'node:events';
import { NovaError } from '../errors.js';
import type { ServiceName, ServiceState } from './types.js';

/** Payload of every `state-changed` event. */
export interface StateChange {
  service: ServiceName;
  from: ServiceState;
  to: ServiceState;
  /** Why, when there is something to say (always set for `failed` and `degraded`). */
  reason?: string;
  /** What a person can do about it (for `failed`). */
  fix?: string;
  at: Date;
}

/** Allowed moves, besides "any → failed" which is always allowed. */
const TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  stopped: ['starting'],
  starting: ['healthy', 'stopping'],
  healthy: ['degraded', 'stopping'],
  // Recovering restarts the server: degraded → starting is not needed, the
  // supervisor stays in degraded until the restarted server answers.
  degraded: ['healthy', 'stopping'],
  stopping: ['stopped'],
  failed: ['starting', 'stopping'],
};

export function canTransition(from: ServiceState, to: ServiceState): boolean {
  return to === 'failed' ? from !== 'failed' : TRANSITIONS[from].includes(to);
}

interface StateMachineEvents {
  'state-changed': [StateChange];
}

export class ServiceStateMachine extends EventEmitter<StateMachineEvents> {
  readonly service: ServiceName;
  #state: ServiceState = 'stopped';
  #since: Date;
  #reason: string | undefined;
  #fix: string | undefined;
  readonly #now: () => Date;

  constructor(service: ServiceName, options: { now?: () => Date } = {}) {
    super();
    this.service = service;
    this.#now = options.now ?? (() => new Date());
    this.#since = this.#now();
  }

  get state(): ServiceState {
    return this.#state;
  }
  /** When the current state was entered. */
  get since(): Date {
    return this.#since;
  }
  /** Reason given for the current state, if any. */
  get reason(): string | undefined {
    return this.#reason;
  }
  get fix(): string | undefined {
    return this.#fix;
  }

  /**
   * Moves to `to`, emitting `state-changed`. Throws INTERNAL on an illegal
   * move; `failed` and `degraded` require a reason.
   */
  transition(to: ServiceState, reason?: string, fix?: string): StateChange {
    const from = this.#state;
    if (!canTransition(from, to)) {
      throw new NovaError('INTERNAL', `Illegal state change for ${this.service}: ${from} → ${to}.`);
    }
    if ((to === 'failed' || to === 'degraded') && !reason) {
      throw new NovaError('INTERNAL', `A reason is required to mark ${this.service} ${to}.`);
    }
    const at = this.#now();
    this.#state = to;
    this.#since = at;
    this.#reason = reason;
    this.#fix = fix;
    const change: StateChange = {
      service: this.service,
      from,
      to,
      at,
      ...(reason ? { reason } : {}),
      ...(fix ? { fix } : {}),
    };
    this.emit('state-changed', change);
    return change;
  }

  /** Marks the service failed; a no-op when it already is (the first reason is the useful one). */
  fail(reason: string, fix?: string): void {
    if (this.#state !== 'failed') this.transition('failed', reason, fix);
  }
}
