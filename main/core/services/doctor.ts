/**
 * `nova-db doctor`: turns what was found on this machine (DetectionReport),
 * the configuration and the live service statuses into findings a person
 * can act on — each with a stable id, a severity, and a fix (main/core/services/README.md, docs/ARCHITECTURE.md#stable-interfaces).
 *
 * Pure: facts in, findings out (doctor-facts.ts gathers the facts;
 * doctor-machine-findings.ts judges the machine, this file the setup and
 * the services). The rule that keeps the report readable: detection findings
 * (docker-*, binary-*, listening-*) are only ever `ok` or `warn` — a tool
 * that is missing is a problem only for a profile that needs it — and the
 * configuration findings (data-dir, config, credentials, service-*,
 * postgres-*, port-*) carry the errors, once, with the fix.
 */
import { serviceProfiles } from '../config/schema.js';
import { installHint } from './binaries.js';
import {
  PORT_KEY,
  PROFILE_KEY,
  REQUIRED_BINARIES,
  URL_KEY,
  dockerProblem,
  finding,
  listDirs,
  profilesOf,
  type DoctorFacts,
} from './doctor-common.js';
import { binaryFindings, dockerFindings, listeningFinding } from './doctor-machine-findings.js';
import { doctorReportSchema, type DoctorReport, type Finding } from './doctor-schema.js';
import { SERVICE_LABEL } from './handshake.js';
import type { ServiceReport } from './service-control.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export type { DoctorReport, Finding, Severity } from './doctor-schema.js';
export type { ConfigOutcome, DoctorFacts } from './doctor-common.js';
export { binaryFindingId } from './doctor-common.js';

const EMBEDDED_WHAT: Record<ServiceName, string> = {
  postgres: 'SQLite in the data dir',
  mongo: 'documents beside the relational data (SQLite JSON or PostgreSQL JSONB)',
  redis: 'an in-process cache',
};

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
