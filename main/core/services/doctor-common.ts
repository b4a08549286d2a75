/**
 * What the doctor's finding builders share: the facts they read, which
 * programs and settings belong to which service, and small helpers.
 */
import type { NovaConfig, Profile } from '../config/schema.js';
import { serviceProfiles } from '../config/schema.js';
import type { ErrorData } from '../errors.js';
import type { BinaryName } from './binaries.js';
import type { DetectionReport, DockerReport } from './detect.js';
import type { Finding } from './doctor-schema.js';
import { SERVICE_LABEL } from './handshake.js';
import type { ServiceReport } from './service-control.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

/** The configuration as the doctor got it: usable, or the error that stopped it. */
export type ConfigOutcome =
  { ok: true; config: NovaConfig; warnings: string[] } | { ok: false; error: ErrorData };

/** Everything the doctor looked at. Optional parts are only gathered when the configuration needs them. */
export interface DoctorFacts {
  platform: NodeJS.Platform;
  config: ConfigOutcome;
  detection: DetectionReport;
  /** Directories searched for the server programs, in order. */
  searchDirs: string[];
  /** Live status of every service; null when the configuration could not be read. */
  services: ServiceReport[] | null;
  /** Reading or creating credentials.json failed (server profiles need it). */
  credentialsError?: ErrorData;
  /** Native PostgreSQL while Nova is root: the OS user that runs it, and whether it reaches the data dir. */
  postgresOsUser?: { ok: true; name: string; uid: number } | { ok: false; error: ErrorData };
  /** Native PostgreSQL: the cluster directory. */
  postgresCluster?:
    | { ok: true; path: string; state: 'empty' | 'existing'; version?: string }
    | { ok: false; path: string; error: ErrorData };
  /** Native services whose port is fixed by configuration, and whether it is free (or held by that service). */
  fixedPorts: { service: ServiceName; port: number; free: boolean }[];
}

/** The programs each native service cannot start without. */
export const REQUIRED_BINARIES: Record<ServiceName, BinaryName[]> = {
  postgres: ['initdb', 'pg_ctl', 'postgres'],
  redis: ['redis-server'],
  mongo: [], // optional: without mongod, documents live in PostgreSQL JSONB
};

export const PROFILE_KEY: Record<ServiceName, string> = {
  postgres: 'NOVA_POSTGRES_PROFILE',
  mongo: 'NOVA_MONGO_PROFILE',
  redis: 'NOVA_REDIS_PROFILE',
};

export const URL_KEY: Record<ServiceName, string> = {
  postgres: 'POSTGRES_URL',
  mongo: 'MONGODB_URL',
  redis: 'REDIS_URL',
};

export const PORT_KEY: Record<ServiceName, string> = {
  postgres: 'NOVA_NATIVE_POSTGRES_PORT',
  mongo: 'NOVA_NATIVE_MONGO_PORT',
  redis: 'NOVA_NATIVE_REDIS_PORT',
};

export function binaryFindingId(name: BinaryName): string {
  return `binary-${name.replace(/_/g, '-')}`;
}

export function finding(
  id: string,
  severity: Finding['severity'],
  title: string,
  detail: string,
  extra: { fix?: string | undefined; data?: Finding['data'] } = {},
): Finding {
  return {
    id,
    severity,
    title,
    detail,
    ...(extra.fix ? { fix: extra.fix } : {}),
    ...(extra.data ? { data: extra.data } : {}),
  };
}

export function profilesOf(facts: DoctorFacts): Record<ServiceName, Profile> | null {
  return facts.config.ok ? serviceProfiles(facts.config.config) : null;
}

export function uses(facts: DoctorFacts, profile: Profile): ServiceName[] {
  const profiles = profilesOf(facts);
  return profiles ? SERVICE_NAMES.filter((s) => profiles[s] === profile) : [];
}

export function labels(services: ServiceName[]): string {
  return services.map((s) => SERVICE_LABEL[s]).join(', ');
}

export function listDirs(dirs: string[]): string {
  const shown = dirs.slice(0, 12).join(', ');
  return dirs.length > 12 ? `${shown}, … (${dirs.length} directories)` : shown || '(none)';
}

/** The fix detection gave for one kind of Docker problem (the module adds `problems` to the report). */
export function dockerProblem(
  docker: DockerReport,
  compose: boolean,
): { message: string; fix: string } | undefined {
  const problems = (docker as { problems?: { kind: string; message: string; fix: string }[] })
    .problems;
  return problems?.find((p) => (p.kind === 'compose-missing') === compose);
}
