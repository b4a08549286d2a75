/**
 * The dashboard's service rows as plain data. The status of a row is the
 * service's entry in the health summary's rollup — the same checks the
 * cards and the tray read — and the lifecycle (starting, stopped…) from
 * services.list only decides which button is offered. Pure.
 */
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { formatAgo } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import type { StatusView } from '../status/status-view.js';
import { badgeOf, type Badge } from './dashboard-model.js';

export const SERVICE_LABEL: Record<string, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

const PROFILE_WORD: Record<string, string> = {
  embedded: 'Embedded',
  docker: 'Docker',
  native: 'Native',
  external: 'External server',
};

const LIFECYCLE_NOTE: Record<string, string> = {
  stopped: 'stopped',
  starting: 'starting…',
  stopping: 'stopping…',
  failed: 'failed to start',
};

export const SERVICE_COLUMNS = ['Service', 'Runs', 'Status', 'Where', 'Since', 'Actions'] as const;

/** What the Actions cell offers: a Start/Stop button, or why there is none. */
export type ServiceAction =
  | { kind: 'button'; verb: 'Start' | 'Stop'; busyText: string; doneWord: string; label: string }
  | { kind: 'none'; text: string };

export interface ServiceRowModel {
  service: ServiceStatusDto['service'];
  label: string;
  runs: string;
  badge: Badge;
  /** Lines under the badge: the lifecycle, and why a start failed. */
  notes: string[];
  where: string;
  since: string;
  action: ServiceAction;
}

export function serviceRow(s: ServiceStatusDto, view: StatusView, now: number): ServiceRowModel {
  const label = SERVICE_LABEL[s.service] ?? s.service;
  const shown = view.services[s.service];
  const running = s.state === 'healthy' || s.state === 'degraded' || s.state === 'starting';
  const note = LIFECYCLE_NOTE[s.state];
  // Native MongoDB without mongod: documents live in PostgreSQL, nothing runs to start or stop.
  const inPostgres = s.service === 'mongo' && s.provider === 'native' && !s.url && !s.port;
  const verb = running ? 'Stop' : 'Start';
  return {
    service: s.service,
    label,
    runs: PROFILE_WORD[s.provider] ?? s.provider,
    badge: shown ? badgeOf(shown) : { status: 'unknown', text: 'Unknown' },
    notes: [
      ...(note ? [`The service is ${note}.`] : []),
      ...(s.state === 'failed' && s.reason ? [forScreen(s.reason)] : []),
    ],
    where:
      s.provider === 'embedded'
        ? 'inside Nova'
        : inPostgres
          ? 'in PostgreSQL (JSONB)'
          : (s.url ?? (s.port ? `port ${s.port}` : '—')),
    since: formatAgo(s.since, now),
    action:
      s.provider === 'embedded' || inPostgres
        ? { kind: 'none', text: inPostgres ? 'part of PostgreSQL' : 'runs inside Nova' }
        : s.provider === 'external'
          ? { kind: 'none', text: 'run elsewhere' }
          : {
              kind: 'button',
              verb,
              busyText: running ? 'Stopping…' : 'Starting…',
              doneWord: running ? 'stopped' : 'started',
              label: `${verb} ${label}`,
            },
  };
}
