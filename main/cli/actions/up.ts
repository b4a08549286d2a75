/** What `nova-db up` does once parsed (registered in ../commands/up.ts): the use case (core/use-cases/services.ts), shown. */
import type { ErrorData } from '../../core/errors.js';
import type { ServiceReport } from '../../core/services/service-control.js';
import type { ServiceName } from '../../core/services/types.js';
import { bringUp } from '../../core/use-cases/services.js';
import { selectedServices } from '../commands/services-shared.js';
import { oneLineData, reportProblems } from '../views/one-line-errors.js';
import { formatServiceReports } from '../views/service-table.js';
import type { UpOptions } from '../commands/up.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, ReportedFailure } from '../output.js';
import { loadCommandConfig } from './command-config.js';

/** `up --json` on stdout. */
export interface UpOutput {
  /** True when every selected service is up. */
  ok: boolean;
  dataDir: string;
  services: ServiceReport[];
  /** Services that did not start, with a one-line reason and the fix. */
  failed: { service: ServiceName; error: ErrorData }[];
}

export async function up(
  ctx: CliContext,
  globals: GlobalOptions,
  options: UpOptions,
): Promise<void> {
  const { config } = await loadCommandConfig(ctx, globals);
  const { services: reports, failed: problems } = await bringUp(
    config,
    selectedServices(options.service),
  );
  const failed = problems.map((f) => ({ ...f, error: oneLineData(ctx, f.error) }));
  const output: UpOutput = {
    ok: failed.length === 0,
    dataDir: config.NOVA_DATA_DIR,
    services: reports,
    failed,
  };
  if (globals.json === true) printJson(ctx, output);
  else ctx.stdout(formatServiceReports(reports));
  if (failed.length > 0) {
    reportProblems(
      ctx,
      failed.map((f) => f.error),
    );
    throw new ReportedFailure(`${failed.length} service(s) did not start`);
  }
}
