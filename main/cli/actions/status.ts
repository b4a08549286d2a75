/** What `nova-db status` does once parsed (registered in ../commands/status.ts): the use case (core/use-cases/services.ts), shown. */
import type { ServiceReport } from '../../core/services/service-control.js';
import { serviceStatus } from '../../core/use-cases/services.js';
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
  const reports = await serviceStatus(config);
  const output: StatusOutput = { dataDir: config.NOVA_DATA_DIR, services: reports };
  if (globals.json === true) printJson(ctx, output);
  else ctx.stdout(formatServiceReports(reports));
}
