/**
 * The one place the renderer keeps the appliance's status: the latest
 * health summary (pushed after every monitor run, fetched on start and on
 * reconnect) and whether Nova can be reached. The shell and the screens
 * subscribe; statusView() turns the snapshot into what each element shows.
 * A clock tick re-renders "checked 12 s ago" so it never freezes at
 * "just now".
 */
import type { HealthSummaryDto } from '../../shared-contract/methods/health.js';
import type { NovaApi } from '../../shared-contract/contract.js';
import type { NovaEvent } from '../../shared-contract/events.js';
import type { StatusSnapshot } from './status-view.js';

export interface StatusStore {
  snapshot(): StatusSnapshot;
  /** Calls `listener` now and after every change (and every few seconds, for the clock). */
  subscribe(listener: (snap: StatusSnapshot) => void): () => void;
  /** Takes a summary the caller fetched (e.g. after Check now). */
  setHealth(health: HealthSummaryDto): void;
  setConnected(connected: boolean): void;
}

export function createStatusStore(
  api: NovaApi,
  onEvent: (listener: (event: NovaEvent) => void) => () => void,
  tickMs = 5_000,
): StatusStore {
  let snap: StatusSnapshot = { health: null, connected: true, lostAt: null };
  const listeners = new Set<(snap: StatusSnapshot) => void>();
  const publish = () => {
    for (const l of listeners) l(snap);
  };
  const fetchHealth = () =>
    api.health.current().then(
      (health) => store.setHealth(health),
      () => store.setConnected(false),
    );
  const store: StatusStore = {
    snapshot: () => snap,
    subscribe(listener) {
      listeners.add(listener);
      listener(snap);
      return () => listeners.delete(listener);
    },
    setHealth(health) {
      snap = { health, connected: true, lostAt: null };
      publish();
    },
    setConnected(connected) {
      if (connected === snap.connected) return;
      snap = { ...snap, connected, lostAt: connected ? null : Date.now() };
      publish();
      // Back again: what was last known may be stale, so ask at once.
      if (connected) void fetchHealth();
    },
  };
  onEvent((event) => {
    if (event.type === 'health') store.setHealth(event.health);
    if (event.type === 'runtime' && event.state === 'ready') void fetchHealth();
  });
  void fetchHealth();
  window.setInterval(publish, tickMs);
  return store;
}
