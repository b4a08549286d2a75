/** What `nova-db down` does once parsed (registered in ../commands/down.ts): the use case (core/use-cases/services.ts), shown. */
import type { StopOutcome } from '../../core/services/service-control.js';
import { shutDown } from '../../core/use-cases/services.js';
import type { DownOptions } from '../commands/down.js';
import { selectedServices } from '../commands/services-shared.js';
import { oneLineData, reportProblems } from '../views/one-line-errors.js';
import { table } from '../views/service-table.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, ReportedFailure } from '../output.js';
import { loadCommandConfig } from './command-config.js';

/** `down --json` on stdout. */
export interface DownOutput {
  /** True when nothing failed to stop. */
  ok: boolean;
  dataDir: string;
  services: StopOutcome[];
}

const RESULT_TEXT: Record<StopOutcome['result'], string> = {
  stopped: 'stopped',
  'already-stopped': 'was not running',
  'left-running': 'external: left running',
  'in-process': 'embedded: nothing to stop',
  failed: 'FAILED',
};

export async function down(
  ctx: CliContext,
  globals: GlobalOptions,
  options: DownOptions,
): Promise<void> {
  const { config } = await loadCommandConfig(ctx, globals);
  const outcomes = await shutDown(config, selectedServices(options.service));
  const failures = outcomes.filter((o) => o.result === 'failed');
  // Errors as one line each, like on stderr (a stop failure may carry a log tail).
  const output: DownOutput = {
    ok: failures.length === 0,
    dataDir: config.NOVA_DATA_DIR,
    services: outcomes.map((o) => (o.error ? { ...o, error: oneLineData(ctx, o.error) } : o)),
  };
  if (globals.json === true) printJson(ctx, output);
  else {
    const rows = outcomes.map((o) => [
      o.service,
      o.profile,
      `${RESULT_TEXT[o.result]}${o.pid !== undefined && o.result === 'stopped' ? ` (pid ${o.pid})` : ''}`,
    ]);
    ctx.stdout(`${table([['SERVICE', 'PROFILE', 'RESULT'], ...rows])}\n`);
  }
  if (failures.length > 0) {
    reportProblems(
      ctx,
      failures.flatMap((f) => (f.error ? [f.error] : [])),
    );
    throw new ReportedFailure(`${failures.length} service(s) did not stop`);
  }
}
