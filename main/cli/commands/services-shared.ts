/**
 * What `status`, `up`, `down` and `doctor` share when parsing: the
 * `--service` option. Their registration imports this module at start-up, so
 * it stays light: reading the configuration is in
 * ../actions/command-config.ts, and how problems and reports are printed is
 * in ../views/.
 */
import { InvalidArgumentError } from 'commander';
import { SERVICE_NAMES, type ServiceName } from '../../core/services/types.js';

/** `--service postgres|redis|mongo`. */
export function parseServiceName(value: string): ServiceName {
  const name = value.trim().toLowerCase();
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new InvalidArgumentError(`--service must be one of ${SERVICE_NAMES.join(', ')}.`);
}

/** The services a command acts on: the one named by --service, else all (in start order). */
export function selectedServices(service: ServiceName | undefined): ServiceName[] {
  return service ? [service] : [...SERVICE_NAMES];
}
