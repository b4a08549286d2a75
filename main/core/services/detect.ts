/**
 * "What is already on this machine?" in one structured report (main/core/services/README.md):
 * Docker (via the Docker module), server programs, and database servers
 * already listening on loopback — each confirmed by a protocol handshake,
 * so the doctor and the first-run wizard can say "PostgreSQL 5432: yes",
 * "port 27017 open but not a MongoDB server", "redis-server not installed".
 */
import { findBinaries, type BinaryReport, type BinarySearchOptions } from './binaries.js';
import { loadDockerModule, type DockerImporter } from './docker-module.js';
import { DEFAULT_PORTS, probeService } from './handshake.js';
import { SERVICE_NAMES, type DockerDetection, type ServiceName } from './types.js';

/** Docker part of the report; `checked: false` when the Docker module could not be asked. */
export type DockerReport =
  | (DockerDetection & { checked: true })
  | {
      checked: false;
      client: null;
      engine: 'absent';
      compose: null;
      versions: Record<string, never>;
      reason: string;
    };

/** A server found listening on a probed port. */
export interface ListeningService {
  service: ServiceName;
  host: string;
  port: number;
  /** It answered the protocol handshake; false means "port open but not a <service> server". */
  confirmed: boolean;
  version?: string;
  detail: string;
}

export interface DetectionReport {
  docker: DockerReport;
  binaries: BinaryReport;
  /** Only ports where something accepted a connection; closed ports are left out. */
  listening: ListeningService[];
}

export interface DetectOptions extends BinarySearchOptions {
  /** Loopback host to probe (default 127.0.0.1). */
  host?: string;
  /** Ports to probe besides the defaults (5432, 6379, 27017). */
  extraPorts?: Partial<Record<ServiceName, number[]>>;
  /** Skip the default ports (tests that only want their own listeners). */
  skipDefaultPorts?: boolean;
  /** Handshake budget per port (default 1000 ms). */
  probeTimeoutMs?: number;
  /** How to load the Docker module (tests of the "cannot load" path). */
  dockerImporter?: DockerImporter;
}

/** Probes every service port and returns the ones where something is listening. */
export async function detectListening(options: DetectOptions = {}): Promise<ListeningService[]> {
  const host = options.host ?? '127.0.0.1';
  const targets: { service: ServiceName; port: number }[] = [];
  for (const service of SERVICE_NAMES) {
    const ports = new Set<number>([
      ...(options.skipDefaultPorts ? [] : [DEFAULT_PORTS[service]]),
      ...(options.extraPorts?.[service] ?? []),
    ]);
    for (const port of ports) targets.push({ service, port });
  }
  const results = await Promise.all(
    targets.map(async ({ service, port }) => {
      const probe = await probeService(service, host, port, {
        timeoutMs: options.probeTimeoutMs ?? 1000,
      });
      return { service, port, probe };
    }),
  );
  return results
    .filter((r) => r.probe.open)
    .map(({ service, port, probe }) => ({
      service,
      host,
      port,
      confirmed: probe.confirmed,
      ...(probe.version ? { version: probe.version } : {}),
      detail: probe.detail,
    }));
}

async function detectDockerSafely(importer: DockerImporter | undefined): Promise<DockerReport> {
  const load = await loadDockerModule(importer);
  const unchecked = (reason: string): DockerReport => ({
    checked: false,
    client: null,
    engine: 'absent',
    compose: null,
    versions: {},
    reason,
  });
  if (!load.module) return unchecked(load.reason);
  try {
    return { ...(await load.module.detectDocker()), checked: true };
  } catch (err) {
    return unchecked(
      `Docker detection failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Runs every check concurrently; never throws for an absent tool or server. */
export async function detect(options: DetectOptions = {}): Promise<DetectionReport> {
  const [docker, binaries, listening] = await Promise.all([
    detectDockerSafely(options.dockerImporter),
    findBinaries(options),
    detectListening(options),
  ]);
  return { docker, binaries, listening };
}
