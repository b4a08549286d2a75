/** Desktop notifications on health transitions (docs/ARCHITECTURE.md#health): said once per change, never on the first check. */
import { Notification } from 'electron';
import type { NovaEvent } from '../../shared-contract/index.js';

type Transition = Extract<NovaEvent, { type: 'health-transition' }>;

export function transitionMessage(t: Transition): { title: string; body: string } | null {
  if (t.from === 'unknown') return null; // starting up is not news
  const title = t.to === 'ok' ? 'Nova DB: all services healthy again' : `Nova DB is ${t.to}`;
  const body =
    t.to === 'ok'
      ? `Recovered from ${t.from}.`
      : t.reasons
          .slice(0, 2)
          .map((r) => r.message)
          .join('\n') || `The data services are ${t.to}.`;
  return { title, body };
}

export function notifyTransition(t: Transition, onClick: () => void): void {
  const message = transitionMessage(t);
  if (!message || !Notification.isSupported()) return;
  const n = new Notification({ ...message, urgency: t.to === 'down' ? 'critical' : 'normal' });
  n.on('click', onClick);
  n.show();
}
