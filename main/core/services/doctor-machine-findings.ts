/**
 * Doctor findings about the machine itself: Docker, the server programs,
 * and servers already listening on the default ports. These are only ever
 * `ok` or `warn` — a missing tool is a problem only for a profile that
 * needs it, and that profile's service finding carries the error.
 */
import { installHint, type BinaryName } from './binaries.js';
import type { ListeningService } from './detect.js';
import {
  REQUIRED_BINARIES,
  URL_KEY,
  binaryFindingId,
  dockerProblem,
  finding,
  labels,
  listDirs,
  uses,
  type DoctorFacts,
} from './doctor-common.js';
import type { Finding } from './doctor-schema.js';
import { SERVICE_LABEL } from './handshake.js';

export function dockerFindings(facts: DoctorFacts): Finding[] {
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
        {
          fix: engineProblem?.fix ?? 'Install Docker Engine or Docker Desktop.',
          data: { client: null, server: null },
        },
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
          data: { client: versions.client ?? null, server: null },
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

export function binaryFindings(facts: DoctorFacts): Finding[] {
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

export function listeningFinding(l: ListeningService): Finding {
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
