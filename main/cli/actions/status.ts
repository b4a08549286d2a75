/** What `nova-db status` does once parsed (registered in ../commands/status.ts). */
import { serviceProfiles } from '../../core/config/schema.js';
import {
  embeddedReport,
  inspectServices,
  type ServiceReport,
} from '../../core/services/service-control.js';
import { ServiceManager } from '../../core/services/service-manager.js';
import { SERVICE_NAMES } from '../../core/services/types.js';
import { formatServiceReports } from '../views/service-table.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { loadCommandConfig } from './command-config.js';

/** `status --json` on stdout. */
export interface StatusOutput {
  dataDir: string;
  services: ServiceReport[];
}

export async function status(ctx: CliContext, globals: GlobalOptions): Promise<void> {
  const { config } = await loadCommandConfig(ctx, globals);
  const profiles = serviceProfiles(config);
  // Every service embedded: nothing runs outside Nova, and no reason to
  // create credentials.json just to say so.
  const reports: ServiceReport[] = SERVICE_NAMES.every((s) => profiles[s] === 'embedded')
    ? SERVICE_NAMES.map(embeddedReport)
    : await inspectServices(await ServiceManager.create({ config, supervisor: false }));
  const output: StatusOutput = { dataDir: config.NOVA_DATA_DIR, services: reports };
  if (globals.json === true) printJson(ctx, output);
  else ctx.stdout(formatServiceReports(reports));
}
