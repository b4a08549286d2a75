/**
 * What the Setup screen shows around its service panels, as plain data:
 * the welcome line, what detection found (servers answering, with "Use
 * this server" unless Nova already uses it; Docker; the server programs),
 * and what Save did (which services did not start, and why). Pure:
 * setup-panels.ts draws it, setup.ts wires it.
 */
import type { z } from 'zod';
import type { ServiceNameDto } from '../../shared-contract/common.js';
import type { applySetupResult } from '../../shared-contract/methods/setup.js';
import { forScreen } from '../lib/screen-words.js';
import {
  foundServers,
  SERVICE_TEXT,
  type ConnectionFields,
  type Detection,
} from './setup-model.js';

export type SetupOutcome = z.infer<typeof applySetupResult>;
type Server = { host: string; port: number };

export function setupIntro(firstRun: boolean): string {
  return firstRun
    ? 'Welcome. Choose where each data service runs; you can change this later. Embedded needs nothing installed.'
    : 'Where each data service runs. Saving restarts the services with the new choice.';
}

export interface FoundRowModel {
  service: ServiceNameDto;
  title: string;
  /** "Version …; it answered as …", when it told its version. */
  version: string | null;
  /** Nova uses this server already: a badge instead of the button. */
  inUse: boolean;
  useLabel: string;
  fields: ConnectionFields;
}

export interface DetectionModel {
  found: FoundRowModel[];
  docker: { status: 'ok' | 'stopped'; badge: string; text: string };
  /** Each server program, with its version ('installed' when unknown) or null when absent. */
  programs: { name: string; version: string | null }[];
}

/** `inUse`: the external server each service uses now, if any. */
export function detectionModel(
  d: Detection,
  inUse: Partial<Record<ServiceNameDto, Server | null>>,
): DetectionModel {
  const running = d.docker.engine === 'running';
  // An unknown client version is left out, not left as a gap ("Docker  is running").
  const client = d.docker.client ? ` ${d.docker.client}` : '';
  const program = (name: string, key: string) => {
    const found = d.binaries[key];
    const version = found ? (found.version ?? 'installed') : null;
    // An empty version string says nothing: shown as not installed.
    return { name, version: version || null };
  };
  return {
    found: foundServers(d).map((f) => {
      const label = SERVICE_TEXT[f.service].label;
      const used = inUse[f.service];
      return {
        service: f.service,
        title: `${label} on ${f.host}:${f.port}`,
        version: f.version ? `Version ${f.version}; it answered as ${label}.` : null,
        inUse: used !== null && used !== undefined && used.host === f.host && used.port === f.port,
        useLabel: `Use the ${label} found on ${f.host}:${f.port}`,
        fields: f.fields,
      };
    }),
    docker: {
      status: running ? 'ok' : 'stopped',
      badge: running ? 'Available' : 'Not available',
      text: running
        ? `Docker${client} is running${d.docker.compose ? '' : ', without Compose'}.`
        : (d.docker.reason ??
          (d.docker.engine === 'not-running'
            ? 'Docker is installed but not running.'
            : 'Docker is not installed.')),
    },
    programs: [
      program('PostgreSQL', 'postgres'),
      program('Redis', 'redis-server'),
      program('MongoDB', 'mongod'),
    ],
  };
}

/** Save stopped before sending: a service's fields have problems (shown beside them). */
export function fieldsProblem(service: ServiceNameDto): string {
  return `Check the ${SERVICE_TEXT[service].label} fields marked above.`;
}

export interface OutcomeModel {
  /** Services that did not start (the rest of the setup was saved); empty when all did. */
  failed: { label: string; message: string; fix: string | null }[];
  services: { label: string; state: string }[];
  announce: string;
}

export function outcomeModel(o: SetupOutcome): OutcomeModel {
  return {
    failed: o.failed.map((f) => ({
      label: `${SERVICE_TEXT[f.service].label}: `,
      message: forScreen(f.message),
      fix: f.fix ? forScreen(f.fix) : null,
    })),
    services: o.services.map((s) => ({
      label: `${SERVICE_TEXT[s.service].label} `,
      state: s.state,
    })),
    announce: o.failed.length ? 'Setup saved with problems' : 'Setup saved',
  };
}
