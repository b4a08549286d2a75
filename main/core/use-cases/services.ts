/**
 * Starting, stopping and reporting the data services from a process that
 * does not keep them (`nova-db up`, `down`, `status`, and any script that
 * drives the appliance the same way), composed once: `up` leaves what it
 * started running, detached and unsupervised, for a later `serve`; `down`
 * stops only what Nova owns (native or Docker), never an external server;
 * `status` on an all-embedded configuration answers without creating
 * credentials. The running app acts on its own ServiceManager instead
 * (core/app/handlers/services.ts): it keeps the servers it starts.
 */
import { serviceProfiles, type NovaConfig } from '../config/schema.js';
import { toErrorData, type ErrorData } from '../errors.js';
import {
  embeddedReport,
  inspectServices,
  stopServices,
  type ServiceReport,
  type StopOutcome,
} from '../services/service-control.js';
import { ServiceManager } from '../services/service-manager.js';
import { SERVICE_NAMES, type ServiceName } from '../services/types.js';

export interface BringUpResult {
  /** Every selected service as it is after the attempt. */
  services: ServiceReport[];
  /** Services that did not start, with why and the fix. */
  failed: { service: ServiceName; error: ErrorData }[];
}

/**
 * Starts `services` (all at once; one failing does not stop the others) and
 * leaves them running after this process exits.
 */
export async function bringUp(
  config: NovaConfig,
  services: readonly ServiceName[],
): Promise<BringUpResult> {
  const manager = await ServiceManager.create({
    config,
    // Nobody would be left to supervise once this process exits; a later serve does.
    supervisor: false,
    native: { detached: true },
  });
  const failed: BringUpResult['failed'] = [];
  await Promise.all(
    services.map(async (service) => {
      try {
        await manager.start(service);
      } catch (err) {
        failed.push({ service, error: toErrorData(err) });
      }
    }),
  );
  return { services: await inspectServices(manager, services), failed };
}

/**
 * Stops `services` where Nova owns them. An external server is left running
 * and an embedded one has no process: both are reported, not touched, and
 * no ServiceManager (nor credentials file) is created just to say so.
 */
export async function shutDown(
  config: NovaConfig,
  services: readonly ServiceName[],
): Promise<StopOutcome[]> {
  const profiles = serviceProfiles(config);
  const ownsServers = services.some((s) => profiles[s] === 'native' || profiles[s] === 'docker');
  if (ownsServers) {
    return stopServices(await ServiceManager.create({ config, supervisor: false }), services);
  }
  // Reported last-first, as a stop would go.
  return [...services].reverse().map((service) => ({
    service,
    profile: profiles[service],
    result: profiles[service] === 'external' ? 'left-running' : 'in-process',
  }));
}

/** Every service as it is now, found by asking the providers (state files, pid files, handshakes). */
export async function serviceStatus(config: NovaConfig): Promise<ServiceReport[]> {
  const profiles = serviceProfiles(config);
  // Every service embedded: nothing runs outside Nova, and no reason to
  // create credentials.json just to say so.
  if (SERVICE_NAMES.every((s) => profiles[s] === 'embedded'))
    return SERVICE_NAMES.map(embeddedReport);
  return inspectServices(await ServiceManager.create({ config, supervisor: false }));
}
