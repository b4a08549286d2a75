/**
 * Status and stop across processes. A ServiceManager's state machines only
 * know what THIS process did; `nova-db status` and `nova-db down` run in a
 * new process after `nova-db up` has exited. So these ask the providers
 * directly — they read `<dataDir>/services/state.json`, pid files and
 * `docker compose ps`, and confirm with a handshake — and stop what is
 * there (adopting it), never what belongs to someone else (external servers).
 */
import { redactSecrets } from '../config/redact.js';
import { serviceProfiles, type Profile } from '../config/schema.js';
import { NovaError, toErrorData, type ErrorData } from '../errors.js';
import { SERVICE_LABEL } from './handshake.js';
import { NativeProvider } from './native/native-provider.js';
import type { ServiceManager } from './service-manager.js';
import {
  SERVICE_NAMES,
  type ProviderKind,
  type ServiceName,
  type ServiceState,
  type ServiceStatus,
} from './types.js';

/** One service as `nova-db status` reports it. Safe to print: the URL's password is masked. */
export interface ServiceReport {
  service: ServiceName;
  /** The configured profile. */
  profile: Profile;
  /** Who provides it; differs from `profile` only for native MongoDB without mongod (documents in PostgreSQL). */
  provider: ProviderKind;
  state: ServiceState;
  /** Connection URL with the password masked. */
  url?: string;
  port?: number;
  pid?: number;
  reason?: string;
  fix?: string;
}

/** What `stopServices` did for one service. */
export interface StopOutcome {
  service: ServiceName;
  profile: Profile;
  /**
   * `stopped`: it ran and now does not; `already-stopped`: nothing was running;
   * `left-running`: external, not ours to stop; `in-process`: embedded, nothing to stop;
   * `failed`: see `error`.
   */
  result: 'stopped' | 'already-stopped' | 'left-running' | 'in-process' | 'failed';
  /** Pid of the server that was stopped, when known. */
  pid?: number;
  error?: ErrorData;
}

const RUNNING: ReadonlySet<ServiceState> = new Set(['starting', 'healthy', 'degraded']);

export function isRunningState(state: ServiceState): boolean {
  return RUNNING.has(state);
}

/** Native MongoDB is optional: without mongod, documents live in PostgreSQL JSONB (docs/ARCHITECTURE.md#profiles). */
async function nativeMongoAbsent(manager: ServiceManager, service: ServiceName): Promise<boolean> {
  if (service !== 'mongo' || manager.providerKinds().mongo !== 'native') return false;
  const provider = await manager.provider('native');
  return provider instanceof NativeProvider && !(await provider.binaries()).mongod;
}

function fromStatus(profile: Profile, s: ServiceStatus): ServiceReport {
  return {
    service: s.service,
    profile,
    provider: s.provider,
    state: s.state,
    // Providers already mask passwords; masking again costs nothing and
    // guards the one output that must never leak a secret.
    ...(s.url ? { url: redactSecrets(s.url) } : {}),
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.pid !== undefined ? { pid: s.pid } : {}),
    ...(s.reason ? { reason: redactSecrets(s.reason) } : {}),
    ...(s.fix ? { fix: s.fix } : {}),
  };
}

/** An embedded service: part of whichever Nova process opens the data layer, so always "healthy". */
export function embeddedReport(service: ServiceName): ServiceReport {
  return {
    service,
    profile: 'embedded',
    provider: 'embedded',
    state: 'healthy',
    reason: 'embedded: runs inside Nova, nothing to start',
  };
}

/** The live status of one service, whoever started it. Never throws: a failure to look is a `failed` report. */
export async function inspectService(
  manager: ServiceManager,
  service: ServiceName,
): Promise<ServiceReport> {
  const profile = serviceProfiles(manager.config)[service];
  const kind = manager.providerKinds()[service];
  if (kind === 'embedded') return embeddedReport(service);
  try {
    if (await nativeMongoAbsent(manager, service)) {
      // The documents' availability is PostgreSQL's.
      const postgres = await inspectService(manager, 'postgres');
      return {
        service,
        profile,
        provider: 'native',
        state: postgres.state,
        reason: 'mongod is not installed; documents are stored in PostgreSQL (JSONB)',
        fix: 'Install mongod to keep documents in MongoDB, or choose the docker or external profile for MongoDB.',
      };
    }
    const provider = await manager.provider(kind);
    return fromStatus(profile, await provider.status(service));
  } catch (err) {
    const e = toErrorData(err);
    return {
      service,
      profile,
      provider: kind,
      state: 'failed',
      reason: redactSecrets(e.message),
      ...(e.fix ? { fix: e.fix } : {}),
    };
  }
}

/** Live status of the given services (default all), in start order. */
export function inspectServices(
  manager: ServiceManager,
  services: readonly ServiceName[] = SERVICE_NAMES,
): Promise<ServiceReport[]> {
  return Promise.all(services.map((s) => inspectService(manager, s)));
}

/**
 * Stops the given services (default all) in reverse start order, adopting
 * servers a previous process left running. External servers are never
 * touched. A failure is recorded and the remaining services still stopped.
 */
export async function stopServices(
  manager: ServiceManager,
  services: readonly ServiceName[] = SERVICE_NAMES,
): Promise<StopOutcome[]> {
  const outcomes: StopOutcome[] = [];
  const order = [...SERVICE_NAMES].reverse().filter((s) => services.includes(s));
  for (const service of order) {
    const profile = serviceProfiles(manager.config)[service];
    const kind = manager.providerKinds()[service];
    if (kind === 'embedded') {
      outcomes.push({ service, profile, result: 'in-process' });
      continue;
    }
    if (kind === 'external') {
      outcomes.push({ service, profile, result: 'left-running' });
      continue;
    }
    try {
      if (await nativeMongoAbsent(manager, service)) {
        outcomes.push({ service, profile, result: 'already-stopped' });
        continue;
      }
      const before = await inspectService(manager, service);
      // Stop even when it looks stopped: a half-started server (a container
      // in `failed`, a pid without a handshake) is still worth cleaning up.
      // A manager that started it itself goes through its state machine.
      if (manager.machine(service).state !== 'stopped') await manager.stop(service);
      else await (await manager.provider(kind)).stop(service);
      const after = await inspectService(manager, service);
      if (isRunningState(after.state)) {
        throw new NovaError(
          'SERVICE_UNAVAILABLE',
          `${SERVICE_LABEL[service]} is still running after the stop request${after.pid ? ` (pid ${after.pid})` : ''}.`,
          {
            fix: after.pid
              ? `Stop it by hand (kill ${after.pid}) and run nova-db down again.`
              : 'Run nova-db down again; if it persists, stop the server by hand.',
          },
        );
      }
      outcomes.push({
        service,
        profile,
        result: isRunningState(before.state) ? 'stopped' : 'already-stopped',
        ...(before.pid !== undefined ? { pid: before.pid } : {}),
      });
    } catch (err) {
      const error = toErrorData(err);
      outcomes.push({
        service,
        profile,
        result: 'failed',
        error: { ...error, message: redactSecrets(error.message) },
      });
    }
  }
  return outcomes;
}
