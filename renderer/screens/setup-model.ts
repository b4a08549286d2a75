/**
 * Setup's decisions as pure functions of what was detected and what is
 * saved: which options each service offers (and why one is not offered),
 * what "Use this server" fills in, and the request Save sends. A choice
 * Setup offers must work end to end (test/integration/app/setup-matrix),
 * so an option whose prerequisite is missing is shown disabled with the
 * reason instead.
 */
import type { z } from 'zod';
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import type {
  connectionFieldsSchema,
  detectionSchema,
  setupCurrentSchema,
} from '../../shared-contract/methods/setup.js';

export type Detection = z.infer<typeof detectionSchema>;
export type SetupCurrent = z.infer<typeof setupCurrentSchema>;
export type ConnectionFields = z.input<typeof connectionFieldsSchema>;

export const SERVICE_TEXT: Record<ServiceNameDto, { label: string; role: string }> = {
  postgres: { label: 'PostgreSQL', role: 'Relational data (tickets, users, configuration)' },
  mongo: { label: 'MongoDB', role: 'Documents and the audit trail' },
  redis: { label: 'Redis', role: 'Cache and sessions' },
};

export const DEFAULT_PORTS: Record<ServiceNameDto, number> = {
  postgres: 5432,
  mongo: 27017,
  redis: 6379,
};

export interface ProfileOption {
  value: ProfileDto;
  label: string;
  hint: string;
  /** Why it cannot be chosen on this machine now; absent when it can. */
  disabledReason?: string;
}

const EMBEDDED_HINT: Record<ServiceNameDto, string> = {
  postgres: 'A database file inside Nova’s data folder; nothing to install.',
  mongo: 'Stored with the relational data (SQLite or PostgreSQL); nothing to install.',
  redis: 'A cache inside Nova; nothing to install.',
};

/** The options of one service on this machine. */
export function profileOptions(service: ServiceNameDto, d: Detection | null): ProfileOption[] {
  const label = SERVICE_TEXT[service].label;
  // The detection panel gives the full reason; the option says it in a few words.
  const dockerDown =
    d && d.docker.engine !== 'running'
      ? d.docker.engine === 'absent'
        ? 'Docker is not installed here.'
        : 'Docker’s engine is not running.'
      : undefined;
  let native: ProfileOption;
  if (service === 'mongo') {
    const mongod = d?.binaries.mongod;
    native = {
      value: 'native',
      label: 'Native',
      hint: mongod
        ? `MongoDB run by Nova from ${mongod.path}.`
        : 'No MongoDB programs here: documents are stored in PostgreSQL (JSONB) and backed up with it.',
    };
  } else {
    const program = service === 'postgres' ? d?.binaries.postgres : d?.binaries['redis-server'];
    native = {
      value: 'native',
      label: 'Native',
      hint: program
        ? `A private ${label} run by Nova from the installed programs${program.version ? ` (${program.version})` : ''}.`
        : `A private ${label} run by Nova from the installed programs.`,
      ...(d && !program
        ? { disabledReason: `The ${label} server programs are not installed on this machine.` }
        : {}),
    };
  }
  return [
    { value: 'embedded', label: 'Embedded', hint: EMBEDDED_HINT[service] },
    {
      value: 'docker',
      label: 'Docker',
      hint: `A ${label} container started by Nova.`,
      ...(dockerDown ? { disabledReason: dockerDown } : {}),
    },
    native,
    {
      value: 'external',
      label: 'External server',
      hint: 'A server you already run; enter where it is.',
    },
  ];
}

/** A server found listening that Setup can offer as "Use this server". */
export interface FoundServer {
  service: ServiceNameDto;
  host: string;
  port: number;
  version?: string;
  fields: ConnectionFields;
}

export function foundServers(d: Detection | null): FoundServer[] {
  return (d?.listening ?? [])
    .filter((l) => l.confirmed && l.suggestion)
    .map((l) => ({
      service: l.service,
      host: l.host,
      port: l.port,
      ...(l.version ? { version: l.version } : {}),
      fields: {
        host: l.suggestion!.host,
        port: l.suggestion!.port,
        ...(l.suggestion!.database ? { database: l.suggestion!.database } : {}),
        ...(l.suggestion!.user ? { user: l.suggestion!.user } : {}),
      },
    }));
}

/** What the external fields read from the form (strings as typed). */
export interface FieldValues {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  /** The password field was typed into (else the saved one is kept). */
  passwordChanged: boolean;
  /** Advanced: a full URL instead of the fields. */
  url: string;
}

/** A problem per field (shown beside it), or the connection to send. */
export function readConnection(
  service: ServiceNameDto,
  v: FieldValues,
): {
  errors: Partial<Record<keyof FieldValues, string>>;
  url?: string;
  connection?: ConnectionFields;
} {
  if (v.url.trim()) return { errors: {}, url: v.url.trim() };
  const errors: Partial<Record<keyof FieldValues, string>> = {};
  if (!v.host.trim()) errors.host = 'Enter the server name or address.';
  const port = Number(v.port || DEFAULT_PORTS[service]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errors.port = 'Enter a port from 1 to 65535.';
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    connection: {
      host: v.host.trim(),
      port,
      ...(service === 'postgres' && v.database.trim() ? { database: v.database.trim() } : {}),
      ...(v.user.trim() ? { user: v.user.trim() } : {}),
      ...(v.passwordChanged ? { password: v.password } : {}),
    },
  };
}
