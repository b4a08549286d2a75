/**
 * Gathers what `nova-db doctor` looks at: detection (Docker, programs,
 * listening servers), the live status of the configured services, and the
 * native-profile preconditions the providers would otherwise only discover
 * while starting (the PostgreSQL OS user when root, the cluster directory,
 * fixed ports). Read-only, apart from what loading the configuration and
 * credentials already does (create the data dir and credentials.json).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serviceProfiles } from '../config/schema.js';
import { toErrorData, type ErrorData } from '../errors.js';
import { defaultSearchDirs } from './binaries.js';
import { detect } from './detect.js';
import {
  buildDoctorReport,
  type ConfigOutcome,
  type DoctorFacts,
  type DoctorReport,
} from './doctor.js';
import { fixedNativePorts, searchDirsFromConfig } from './native-options.js';
import { checkCluster, postgresPaths } from './native/postgres-cluster.js';
import { isRoot, resolvePostgresOsUser } from './native/os-user.js';
import { isPortFree } from './ports.js';
import { runCommand } from './run-command.js';
import { inspectServices, isRunningState, type ServiceReport } from './service-control.js';
import { ServiceManager } from './service-manager.js';
import type { ServiceName } from './types.js';

export interface DoctorOptions {
  /** The configuration, or the error loading it gave (the doctor still checks the machine). */
  config: ConfigOutcome;
  /** Handshake budget per probed port (default 1000 ms). */
  probeTimeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** Runs every check and returns the report (`ok` false when any finding is an error). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  return buildDoctorReport(await gatherDoctorFacts(options));
}

export async function gatherDoctorFacts(options: DoctorOptions): Promise<DoctorFacts> {
  const platform = options.platform ?? process.platform;
  const config = options.config.ok ? options.config.config : undefined;
  const searchDirs =
    (config && searchDirsFromConfig(config, platform)) ?? (await defaultSearchDirs(platform));
  const detection = await detect({
    searchDirs,
    platform,
    ...(options.probeTimeoutMs !== undefined ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
  });
  const facts: DoctorFacts = {
    platform,
    config: options.config,
    detection,
    searchDirs,
    services: null,
    fixedPorts: [],
  };
  if (!config) return facts;

  const profiles = serviceProfiles(config);
  let manager: ServiceManager | undefined;
  if (Object.values(profiles).some((p) => p !== 'embedded')) {
    try {
      manager = await ServiceManager.create({ config, supervisor: false });
    } catch (err) {
      facts.credentialsError = toErrorData(err);
    }
  }
  facts.services = manager
    ? await inspectServices(manager)
    : (['postgres', 'mongo', 'redis'] as const).map((service): ServiceReport => ({
        service,
        profile: profiles[service],
        provider: profiles[service],
        state: profiles[service] === 'embedded' ? 'healthy' : 'failed',
        ...(profiles[service] === 'embedded'
          ? {}
          : { reason: 'not checked: the service passwords cannot be read' }),
      }));

  if (profiles.postgres === 'native') {
    facts.postgresCluster = await clusterFact(
      config.NOVA_DATA_DIR,
      detection.binaries.pg_ctl?.version ?? null,
    );
    if (isRoot()) facts.postgresOsUser = await osUserFact(config.NOVA_DATA_DIR);
  }
  const fixed = fixedNativePorts(config);
  for (const [service, port] of Object.entries(fixed) as [ServiceName, number][]) {
    if (profiles[service] !== 'native') continue;
    const own = facts.services.find((s) => s.service === service);
    // A fixed port held by our own running server is in use — by the right program.
    const ours = own !== undefined && isRunningState(own.state) && own.port === port;
    facts.fixedPorts.push({ service, port, free: ours || (await isPortFree(port)) });
  }
  return facts;
}

async function clusterFact(
  dataDir: string,
  pgCtlVersion: string | null,
): Promise<DoctorFacts['postgresCluster']> {
  const dir = postgresPaths(dataDir).data;
  try {
    const state = await checkCluster(dir, pgCtlVersion);
    if (state === 'empty') return { ok: true, path: dir, state };
    const version = (await readFile(path.join(dir, 'PG_VERSION'), 'utf8')).trim();
    return { ok: true, path: dir, state, version };
  } catch (err) {
    return { ok: false, path: dir, error: toErrorData(err) };
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user (see native/os-user.ts),
 * which must reach the data dir: the provider opens the data dir itself
 * (o+x), but every parent must already let that user through. `test -x`
 * on the parent, run as that user, proves exactly that without changing
 * anything.
 */
async function osUserFact(dataDir: string): Promise<DoctorFacts['postgresOsUser']> {
  let user;
  try {
    user = await resolvePostgresOsUser(undefined);
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
  if (!user) return undefined;
  try {
    await runCommand('test', ['-x', path.dirname(dataDir)], { asUser: user.name, timeoutMs: 5000 });
  } catch {
    const error: ErrorData = {
      name: 'NovaError',
      code: 'DATA_DIR_NOT_WRITABLE',
      message: `PostgreSQL runs as the OS user "${user.name}" (Nova runs as root), and that user cannot reach the data directory ${dataDir}.`,
      fix: `Choose a data directory that "${user.name}" can reach (not under /root), e.g. --data-dir /var/lib/nova-db, or give it access to every parent directory (chmod o+x).`,
    };
    return { ok: false, error };
  }
  return { ok: true, name: user.name, uid: user.uid };
}
