/** Status shown by word AND colour/shape, never colour alone. */
import { h } from '../lib/dom.js';

const WORD: Record<string, string> = {
  ok: 'OK',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
  healthy: 'Healthy',
  starting: 'Starting',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
  pending: 'Waiting',
  running: 'Running',
  succeeded: 'Done',
  cancelled: 'Cancelled',
};

const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral' | 'busy'> = {
  ok: 'good',
  healthy: 'good',
  succeeded: 'good',
  degraded: 'warn',
  starting: 'busy',
  stopping: 'busy',
  running: 'busy',
  pending: 'neutral',
  stopped: 'neutral',
  cancelled: 'neutral',
  unknown: 'neutral',
  down: 'bad',
  failed: 'bad',
};

export function statusBadge(status: string, label?: string): HTMLElement {
  const tone = TONE[status] ?? 'neutral';
  return h(
    'span',
    { class: `badge badge-${tone}`, dataset: { status } },
    h('span', { class: 'badge-dot', attrs: { 'aria-hidden': 'true' } }),
    label ?? WORD[status] ?? status,
  );
}
