/**
 * `nova-db doctor`: turns what was found on this machine (DetectionReport),
 * the configuration and the live service statuses into findings a person
 * can act on — each with a stable id, a severity, and a fix (SPEC §3, §11).
 *
 * This file is pure (facts in, findings out); doctor-facts.ts gathers the
 * facts. The rule that keeps the report readable: detection findings
 * (docker-*, binary-*, listening-*) are only ever `ok` or `warn` — a tool
 * that is missing is a problem only for a profile that needs it — and the
 * configuration findings (data-dir, config, credentials, service-*,
 * postgres-*, port-*) carry the errors, once, with the fix.
 */
import type { NovaConfig, Profile } from '../config/schema.js';
import { serviceProfiles } from '../config/schema.js';
import type { ErrorData } from '../errors.js';
import { installHint, type BinaryName } from './binaries.js';
import type { DetectionReport, DockerReport, ListeningService } from './detect.js';
import { doctorReportSchema, type DoctorReport, type Finding } from './doctor-schema.js';
import { SERVICE_LABEL } from './handshake.js';
import type { ServiceReport } from './service-control.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export type { DoctorReport, Finding, Severity } from './doctor-schema.js';

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
const REQUIRED_BINARIES: Record<ServiceName, BinaryName[]> = {
  postgres: ['initdb', 'pg_ctl', 'postgres'],
  redis: ['redis-server'],
  mongo: [], // optional: without mongod, documents live in PostgreSQL JSONB
};

const PROFILE_KEY: Record<ServiceName, string> = {
  postgres: 'NOVA_POSTGRES_PROFILE',
  mongo: 'NOVA_MONGO_PROFILE',
  redis: 'NOVA_REDIS_PROFILE',
};

const URL_KEY: Record<ServiceName, string> = {
  postgres: 'POSTGRES_URL',
  mongo: 'MONGODB_URL',
  redis: 'REDIS_URL',
};

const PORT_KEY: Record<ServiceName, string> = {
  postgres: 'NOVA_NATIVE_POSTGRES_PORT',
  mongo: 'NOVA_NATIVE_MONGO_PORT',
  redis: 'NOVA_NATIVE_REDIS_PORT',
};

const EMBEDDED_WHAT: Record<ServiceName, string> = {
  postgres: 'SQLite in the data dir',
  mongo: 'documents beside the relational data (SQLite JSON or PostgreSQL JSONB)',
  redis: 'an in-process cache',
};

export function binaryFindingId(name: BinaryName): string {
  return `binary-${name.replace(/_/g, '-')}`;
}

function finding(
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

function profilesOf(facts: DoctorFacts): Record<ServiceName, Profile> | null {
  return facts.config.ok ? serviceProfiles(facts.config.config) : null;
}

function uses(facts: DoctorFacts, profile: Profile): ServiceName[] {
  const profiles = profilesOf(facts);
  return profiles ? SERVICE_NAMES.filter((s) => profiles[s] === profile) : [];
}

function labels(services: ServiceName[]): string {
  return services.map((s) => SERVICE_LABEL[s]).join(', ');
}

function listDirs(dirs: string[]): string {
  const shown = dirs.slice(0, 12).join(', ');
  return dirs.length > 12 ? `${shown}, … (${dirs.length} directories)` : shown || '(none)';
}

// ------------------------------------------------------------ configuration

function configFindings(facts: DoctorFacts): Finding[] {
  const c = facts.config;
  if (!c.ok) {
    if (c.error.code === 'DATA_DIR_NOT_WRITABLE') {
      return [
        finding('data-dir', 'error', 'The data directory cannot be used', c.error.message, {
          fix: c.error.fix,
        }),
      ];
    }
    return [
      finding('config', 'error', 'The configuration cannot be used', c.error.message, {
        fix: c.error.fix ?? 'Correct the setting named above.',
      }),
    ];
  }
  const dir = c.config.NOVA_DATA_DIR;
  const profiles = serviceProfiles(c.config);
  const summary = SERVICE_NAMES.map((s) => `${SERVICE_LABEL[s]} ${profiles[s]}`).join(', ');
  const out = [
    finding('data-dir', 'ok', 'The data directory is writable', dir, { data: { path: dir } }),
    c.warnings.length === 0
      ? finding('config', 'ok', 'The configuration is valid', `Profiles: ${summary}.`)
      : finding(
          'config',
          'warn',
          `The configuration is valid, with ${c.warnings.length} warning${c.warnings.length === 1 ? '' : 's'}`,
          `Profiles: ${summary}. ${c.warnings.join(' ')}`,
          { fix: 'Remove or correct the settings the warnings name.' },
        ),
  ];
  const servers = SERVICE_NAMES.filter((s) => profiles[s] !== 'embedded');
  if (servers.length > 0) {
    out.push(
      facts.credentialsError
        ? finding(
            'credentials',
            'error',
            'The service passwords cannot be read',
            facts.credentialsError.message,
            { fix: facts.credentialsError.fix },
          )
        : finding(
            'credentials',
            'ok',
            'Service passwords are in place',
            'credentials.json in the data dir (generated on first use, private to this user).',
          ),
    );
  }
  return out;
}

// ------------------------------------------------------------ detection

/** The fix detection gave for one kind of Docker problem (the module adds `problems` to the report). */
function dockerProblem(
  docker: DockerReport,
  compose: boolean,
): { message: string; fix: string } | undefined {
  const problems = (docker as { problems?: { kind: string; message: string; fix: string }[] })
    .problems;
  return problems?.find((p) => (p.kind === 'compose-missing') === compose);
}

function dockerFindings(facts: DoctorFacts): Finding[] {
  const docker = facts.detection.docker;
  const needed = uses(facts, 'docker');
  const forWhom = needed.length ? ` (needed by the docker profile of ${labels(needed)})` : '';
  const notNeeded = 'only the docker profile needs it';
  if (!docker.checked) {
    return [
      finding('docker-engine', 'warn', 'Docker was not checked', docker.reason, {
        fix: 'Reinstall Nova DB; the Docker provider module is part of every build.',
      }),
    ];
  }
  const versions = docker.versions;
  const engineProblem = dockerProblem(docker, false);
  const composeProblem = dockerProblem(docker, true);
  const out: Finding[] = [];
  if (docker.engine === 'absent') {
    out.push(
      finding(
        'docker-engine',
        needed.length ? 'warn' : 'ok',
        `Docker is not installed${forWhom}`,
        needed.length ? (docker.reason ?? 'No `docker` program on PATH.') : notNeeded,
        { fix: engineProblem?.fix ?? 'Install Docker Engine or Docker Desktop.' },
      ),
    );
  } else if (docker.engine === 'not-running') {
    out.push(
      finding(
        'docker-engine',
        'warn',
        `The Docker engine is not running${forWhom}`,
        engineProblem?.message ?? docker.reason ?? '`docker info` could not reach the engine.',
        {
          fix:
            engineProblem?.fix ?? 'Start Docker (sudo systemctl start docker, or Docker Desktop).',
          data: { client: versions.client ?? null },
        },
      ),
    );
  } else {
    out.push(
      finding(
        'docker-engine',
        'ok',
        `The Docker engine is running (${versions.server ?? 'version unknown'})`,
        `Client ${versions.client ?? 'unknown'}, server ${versions.server ?? 'unknown'}.`,
        { data: { client: versions.client ?? null, server: versions.server ?? null } },
      ),
    );
  }
  if (docker.compose === 'v2') {
    out.push(
      finding(
        'docker-compose',
        'ok',
        `Docker Compose v2 is available (${versions.compose ?? 'version unknown'})`,
        'The docker profile runs the stack with `docker compose`.',
        { data: { version: versions.compose ?? null } },
      ),
    );
  } else if (docker.engine !== 'absent' || docker.compose === 'v1') {
    // Docker half installed (client without Compose v2) is worth a warning either way.
    out.push(
      finding(
        'docker-compose',
        'warn',
        `Docker Compose v2 is not available${forWhom}`,
        composeProblem?.message ?? 'Neither `docker compose` nor a v2 `docker-compose` answered.',
        {
          fix: composeProblem?.fix ?? 'Install the Docker Compose v2 plugin.',
          data: { version: versions.compose ?? null },
        },
      ),
    );
  }
  return out;
}

function binaryFindings(facts: DoctorFacts): Finding[] {
  const native = uses(facts, 'native');
  const out: Finding[] = [];
  for (const name of Object.keys(facts.detection.binaries) as BinaryName[]) {
    const found = facts.detection.binaries[name];
    const id = binaryFindingId(name);
    if (found) {
      out.push(
        finding(id, 'ok', `${name} ${found.version ?? '(version unknown)'}`, found.path, {
          data: { path: found.path, version: found.version },
        }),
      );
      continue;
    }
    const neededBy = native.filter(
      (s) => REQUIRED_BINARIES[s].includes(name) || (s === 'mongo' && name === 'mongod'),
    );
    out.push(
      finding(
        id,
        neededBy.length ? 'warn' : 'ok',
        `${name} is not installed${neededBy.length ? ` (the native ${labels(neededBy)} uses it)` : ''}`,
        `Looked in: ${listDirs(facts.searchDirs)}.${neededBy.length ? '' : ' Only the native profile needs it.'}`,
        {
          fix: `${installHint(name, facts.platform)}; if it is installed elsewhere, add its directory to NOVA_BIN_SEARCH_DIRS.`,
          data: { path: null, version: null },
        },
      ),
    );
  }
  return out;
}

function listeningFinding(l: ListeningService): Finding {
  const label = SERVICE_LABEL[l.service];
  const id = `listening-${l.service}-${l.port}`;
  const data = { host: l.host, port: l.port, version: l.version ?? null, confirmed: l.confirmed };
  if (!l.confirmed) {
    return finding(
      id,
      'warn',
      `Port ${l.port} is open but does not answer as ${label}`,
      `${l.host}:${l.port}: ${l.detail}`,
      {
        fix: `Nothing to do unless a ${label} URL points at port ${l.port}; then point it at the real ${label} port.`,
        data,
      },
    );
  }
  return finding(
    id,
    'ok',
    `${label}${l.version ? ` ${l.version}` : ''} answers on ${l.host}:${l.port}`,
    `Confirmed by a ${label} handshake (${l.detail}). Nova's native servers use ports of their own and leave it alone; to use this server, choose the external profile and set ${URL_KEY[l.service]}.`,
    { data },
  );
}

// ------------------------------------------------------------ services

function serviceFinding(facts: DoctorFacts, report: ServiceReport): Finding {
  const { service, profile } = report;
  const label = `${SERVICE_LABEL[service]} (${profile})`;
  const id = `service-${service}`;
  const data = {
    profile,
    provider: report.provider,
    state: report.state,
    port: report.port ?? null,
    pid: report.pid ?? null,
  };
  const otherProfiles = `choose another profile for ${SERVICE_LABEL[service]} (${PROFILE_KEY[service]})`;

  if (profile === 'embedded') {
    return finding(id, 'ok', `${label}: runs inside Nova`, EMBEDDED_WHAT[service], { data });
  }
  if (profile === 'native') {
    const missing = REQUIRED_BINARIES[service].filter((b) => !facts.detection.binaries[b]);
    if (missing.length > 0) {
      return finding(
        id,
        'error',
        `${label} cannot start: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed`,
        `Looked in: ${listDirs(facts.searchDirs)}.`,
        {
          fix: `${installHint(missing[0]!, facts.platform)}; or ${otherProfiles}.`,
          data,
        },
      );
    }
    if (service === 'mongo' && !facts.detection.binaries.mongod) {
      return finding(
        id,
        'warn',
        `${label}: mongod is not installed; documents are stored in PostgreSQL (JSONB)`,
        report.reason ?? '',
        { fix: `${installHint('mongod', facts.platform)} to keep documents in MongoDB.`, data },
      );
    }
  }
  if (profile === 'docker') {
    const docker = facts.detection.docker;
    if (docker.engine !== 'running' || docker.compose !== 'v2') {
      const problem = dockerProblem(docker, docker.engine === 'running');
      return finding(
        id,
        'error',
        `${label} cannot start: ${docker.engine === 'running' ? 'Docker Compose v2 is not available' : docker.engine === 'absent' ? 'Docker is not installed' : 'the Docker engine is not running'}`,
        problem?.message ?? docker.reason ?? report.reason ?? '',
        { fix: problem?.fix ?? report.fix ?? `Fix Docker, or ${otherProfiles}.`, data },
      );
    }
  }
  const where = report.url ?? (report.port ? `127.0.0.1:${report.port}` : '');
  switch (report.state) {
    case 'healthy':
      return finding(
        id,
        'ok',
        `${label}: running${where ? ` at ${where}` : ''}`,
        `Answers its protocol handshake${report.pid ? `; pid ${report.pid}` : ''}.`,
        { data },
      );
    case 'stopped':
      return finding(
        id,
        'ok',
        `${label}: not running`,
        `${report.reason ? `${report.reason} ` : ''}\`nova-db up\` (or \`nova-db serve\`) starts it.`,
        { data },
      );
    case 'failed':
      return finding(
        id,
        'error',
        profile === 'external' ? `${label}: not reachable` : `${label}: failed`,
        report.reason ?? 'No reason was given.',
        {
          fix:
            report.fix ??
            (profile === 'external'
              ? `Check that the server is running and that host, port and password in ${URL_KEY[service]} are right; a firewall may be blocking the port.`
              : 'Run `nova-db down`, then `nova-db up`, and read the server log named in the error.'),
          data,
        },
      );
    default:
      return finding(
        id,
        'warn',
        `${label}: ${report.state}`,
        report.reason ?? `The server is ${report.state}.`,
        { fix: report.fix ?? 'Check again in a moment with `nova-db status`.', data },
      );
  }
}

function postgresFindings(facts: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const user = facts.postgresOsUser;
  if (user?.ok) {
    out.push(
      finding(
        'postgres-os-user',
        'ok',
        `Native PostgreSQL runs as the OS user "${user.name}"`,
        `Nova runs as root and PostgreSQL refuses root, so initdb and pg_ctl run as "${user.name}" (uid ${user.uid}), which can reach the data dir.`,
        { data: { user: user.name, uid: user.uid } },
      ),
    );
  } else if (user) {
    out.push(
      finding(
        'postgres-os-user',
        'error',
        'Native PostgreSQL cannot run here as root',
        user.error.message,
        {
          fix: user.error.fix,
        },
      ),
    );
  }
  const cluster = facts.postgresCluster;
  if (cluster?.ok) {
    out.push(
      finding(
        'postgres-cluster',
        'ok',
        cluster.state === 'empty'
          ? 'No PostgreSQL cluster yet; it is created on the first start'
          : `PostgreSQL cluster${cluster.version ? ` (version ${cluster.version})` : ''} looks intact`,
        cluster.path,
        { data: { path: cluster.path, version: cluster.version ?? null } },
      ),
    );
  } else if (cluster) {
    out.push(
      finding(
        'postgres-cluster',
        'error',
        'The PostgreSQL cluster cannot be used',
        cluster.error.message,
        {
          fix: cluster.error.fix,
          data: { path: cluster.path, version: null },
        },
      ),
    );
  }
  return out;
}

function portFindings(facts: DoctorFacts): Finding[] {
  return facts.fixedPorts.map(({ service, port, free }) =>
    free
      ? finding(
          `port-${service}`,
          'ok',
          `Port ${port} for the native ${SERVICE_LABEL[service]} is available`,
          `Fixed by ${PORT_KEY[service]}.`,
          { data: { port } },
        )
      : finding(
          `port-${service}`,
          'error',
          `Port ${port} for the native ${SERVICE_LABEL[service]} is already in use`,
          `${PORT_KEY[service]}=${port}, and another program listens on 127.0.0.1:${port}.`,
          {
            fix: `Stop the program using port ${port} (see \`ss -ltnp\` or \`lsof -i :${port}\`), or unset ${PORT_KEY[service]} to let Nova choose a free port.`,
            data: { port },
          },
        ),
  );
}

/** Every finding, in reading order: setup, the machine, then each service. */
export function diagnose(facts: DoctorFacts): Finding[] {
  return [
    ...configFindings(facts),
    ...dockerFindings(facts),
    ...binaryFindings(facts),
    ...facts.detection.listening.map(listeningFinding),
    ...(facts.services ?? []).map((r) => serviceFinding(facts, r)),
    ...postgresFindings(facts),
    ...portFindings(facts),
  ];
}

/** The `doctor --json` document; validated against the published schema before it leaves. */
export function buildDoctorReport(facts: DoctorFacts, now: Date = new Date()): DoctorReport {
  const findings = diagnose(facts);
  const counts = { ok: 0, warn: 0, error: 0 };
  for (const f of findings) counts[f.severity]++;
  return doctorReportSchema.parse({
    version: 1,
    ok: counts.error === 0,
    checkedAt: now.toISOString(),
    dataDir: facts.config.ok ? facts.config.config.NOVA_DATA_DIR : null,
    profiles: profilesOf(facts),
    counts,
    findings,
  });
}
