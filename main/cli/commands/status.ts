/**
 * `nova-db status [--json]` (SPEC §11): every service with its profile,
 * state, URL (password masked), port and pid, and the reason and fix when
 * it is not healthy. It reports what is running now, whoever started it
 * (`nova-db up` in another process, `serve`, the desktop app). Exit 0 even
 * when services are stopped — it is a report; non-zero only when it cannot
 * report (bad configuration, unusable data dir).
 */
import type { Command } from 'commander';
import { serviceProfiles } from '../../core/config/schema.js';
import {
  embeddedReport,
  inspectServices,
  type ServiceReport,
} from '../../core/services/service-control.js';
import { ServiceManager } from '../../core/services/service-manager.js';
import { SERVICE_NAMES } from '../../core/services/types.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { formatServiceReports, loadCommandConfig, toOneLineError } from './services-shared.js';

/** `status --json` on stdout. */
export interface StatusOutput {
  dataDir: string;
  services: ServiceReport[];
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show each data service: profile, state, URL (password masked), port, pid')
    .action(async (_options: unknown, command: Command) => {
      try {
        await status(ctx, command.optsWithGlobals<GlobalOptions>());
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}

async function status(ctx: CliContext, globals: GlobalOptions): Promise<void> {
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
