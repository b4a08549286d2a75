/**
 * One service panel of Setup as plain data: what its fields start with
 * (the saved server, or the defaults), the password's words (a saved one is
 * kept unless typed over), each option's radio state, what Save or Test
 * sends for the typed values (nothing when they are the saved server
 * unchanged) with a problem per field, and the words of a test result.
 * Pure: setup-service-fields.ts draws it, setup-service.ts wires it.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import type { z } from 'zod';
import type { testConnectionResult } from '../../shared-contract/methods/setup.js';
import { formatLatency } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import {
  DEFAULT_PORTS,
  profileOptions,
  readConnection,
  SERVICE_TEXT,
  type ConnectionFields,
  type Detection,
  type FieldValues,
  type SetupCurrent,
} from './setup-model.js';

export type CurrentService = SetupCurrent['services'][number];
export type SavedConnection = NonNullable<CurrentService['connection']>;
export type TestResult = z.infer<typeof testConnectionResult>;

const URL_PLACEHOLDER: Record<ServiceNameDto, string> = {
  postgres: 'postgres://user:password@host:5432/nova',
  mongo: 'mongodb://user:password@host:27017/',
  redis: 'redis://:password@host:6379',
};

export interface ServicePanelModel {
  label: string;
  role: string;
  /** Chosen outside Nova: shown, not changed here, with the notice saying why. */
  locked: boolean;
  lockedNotice: string | null;
  /** The profile selected when the panel opens. */
  profile: ProfileDto;
  initial: { host: string; port: number; database: string; user: string };
  /** Only PostgreSQL asks for a database name. */
  showDatabase: boolean;
  passwordPlaceholder: string;
  passwordHint: string;
  urlPlaceholder: string;
}

export function servicePanelModel(
  service: ServiceNameDto,
  current: CurrentService | undefined,
): ServicePanelModel {
  const { label, role } = SERVICE_TEXT[service];
  const saved = current?.connection ?? null;
  const locked = current?.locked ?? false;
  return {
    label,
    role,
    locked,
    lockedNotice: locked
      ? `Where ${label} runs is set outside Nova (its environment, a .env file or its command line), so it cannot be changed here.`
      : null,
    profile: current?.profile ?? 'embedded',
    initial: {
      host: saved?.host ?? '',
      port: saved?.port ?? DEFAULT_PORTS[service],
      // A saved server shows its own database, none included (else an untouched
      // revisit would count as a change and Save would move it to "nova").
      database: saved ? (saved.database ?? '') : 'nova',
      user: saved?.user ?? '',
    },
    showDatabase: service === 'postgres',
    passwordPlaceholder: saved?.hasPassword ? '•••••••• (saved; type to replace)' : '',
    passwordHint: saved?.hasPassword
      ? 'A password is saved. Leave this empty to keep it.'
      : 'Stored only in Nova’s private settings file.',
    urlPlaceholder: URL_PLACEHOLDER[service],
  };
}

export interface OptionRow {
  value: ProfileDto;
  label: string;
  /** Its hint, or why it is not available here. */
  hint: string;
  checked: boolean;
  disabled: boolean;
}

/** The radios of one service for what was detected and what is chosen now. */
export function optionRows(
  service: ServiceNameDto,
  detection: Detection | null,
  chosen: ProfileDto,
  locked: boolean,
): OptionRow[] {
  return profileOptions(service, detection).map((o) => ({
    value: o.value,
    label: o.label,
    hint: o.disabledReason ? `Not available: ${o.disabledReason}` : o.hint,
    checked: o.value === chosen,
    // A saved choice stays selectable even when its prerequisite went missing.
    disabled: locked || (o.disabledReason !== undefined && o.value !== chosen),
  }));
}

/** Nothing typed over the saved server: Save and Test send nothing, which keeps it as it is. */
export function keepsSaved(
  service: ServiceNameDto,
  saved: SavedConnection | null,
  v: FieldValues,
): boolean {
  return (
    saved !== null &&
    !v.url &&
    v.host === saved.host &&
    Number(v.port) === saved.port &&
    !v.passwordChanged &&
    v.user === (saved.user ?? '') &&
    (service !== 'postgres' || v.database === (saved.database ?? ''))
  );
}

export type ServiceRequest = { url?: string; connection?: ConnectionFields };

/**
 * What Save and Test send for this service: nothing for a service Nova
 * runs itself or an unchanged saved server, else the URL or the fields;
 * `send` is null when a field has a problem (shown beside it, first one
 * focused).
 */
export function serviceRequest(
  service: ServiceNameDto,
  chosen: ProfileDto,
  saved: SavedConnection | null,
  v: FieldValues,
): { errors: Partial<Record<keyof FieldValues, string>>; send: ServiceRequest | null } {
  if (chosen !== 'external' || keepsSaved(service, saved, v)) return { errors: {}, send: {} };
  const r = readConnection(service, v);
  if (Object.keys(r.errors).length) return { errors: r.errors, send: null };
  return {
    errors: {},
    send: {
      ...(r.url ? { url: r.url } : {}),
      ...(r.connection ? { connection: r.connection } : {}),
    },
  };
}

export interface TestResultModel {
  status: 'ok' | 'down';
  badge: 'Works' | 'Failed';
  /** After the badge: what happened, and the latency when measured ('' when not). */
  detail: string;
  latency: string;
  fix: string | null;
}

export function testResultModel(r: TestResult): TestResultModel {
  return {
    status: r.ok ? 'ok' : 'down',
    badge: r.ok ? 'Works' : 'Failed',
    detail: ` ${forScreen(r.detail)}`,
    latency: r.latencyMs !== null ? ` (${formatLatency(r.latencyMs)})` : '',
    fix: r.fix ? forScreen(r.fix) : null,
  };
}

/** The external server this service uses now (for "In use by Nova"), if it uses one. */
export function serverInUse(
  current: CurrentService | undefined,
): { host: string; port: number } | null {
  const saved = current?.connection ?? null;
  return current?.profile === 'external' && saved ? { host: saved.host, port: saved.port } : null;
}
