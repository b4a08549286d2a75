/**
 * `nova-db up [--service NAME] [--json]` (SPEC §3, §11): starts the services
 * of the configured profiles — native servers under the data dir, the
 * Compose stack, or (external) a check that the configured server answers —
 * waits until each answers its handshake, prints where they are (passwords
 * masked) and exits. The servers keep running after `up` exits: native
 * ones are started detached and recorded in `<dataDir>/services/state.json`,
 * where `status`, `down`, `serve` and the app find and adopt them.
 *
 * One service failing does not stop the others; each failure is one
 * "nova-db: reason" + "fix: …" pair on stderr, and the exit status is 1.
 */
import type { Command } from 'commander';
import { toErrorData, type ErrorData } from '../../core/errors.js';
import { inspectServices, type ServiceReport } from '../../core/services/service-control.js';
import { ServiceManager } from '../../core/services/service-manager.js';
import type { ServiceName } from '../../core/services/types.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, ReportedFailure } from '../output.js';
import {
  formatServiceReports,
  loadCommandConfig,
  oneLineData,
  parseServiceName,
  reportProblems,
  selectedServices,
  toOneLineError,
} from './services-shared.js';

interface UpOptions {
  service?: ServiceName;
}

/** `up --json` on stdout. */
export interface UpOutput {
  /** True when every selected service is up. */
  ok: boolean;
  dataDir: string;
  services: ServiceReport[];
  /** Services that did not start, with a one-line reason and the fix. */
  failed: { service: ServiceName; error: ErrorData }[];
}

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .description(
      'start the data services of the configured profiles and wait until they answer; they keep running after up exits',
    )
    .option('--service <name>', 'only this service: postgres, redis or mongo', parseServiceName)
    .action(async (options: UpOptions, command: Command) => {
      try {
        await up(ctx, command.optsWithGlobals<GlobalOptions & UpOptions>(), options);
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}

async function up(ctx: CliContext, globals: GlobalOptions, options: UpOptions): Promise<void> {
  const { config } = await loadCommandConfig(ctx, globals);
  const services = selectedServices(options.service);
  const manager = await ServiceManager.create({
    config,
    // Nobody would be left to supervise once up exits; a later serve does.
    supervisor: false,
    native: { detached: true },
  });
  const failed: UpOutput['failed'] = [];
  await Promise.all(
    services.map(async (service) => {
      try {
        await manager.start(service);
      } catch (err) {
        failed.push({ service, error: oneLineData(ctx, toErrorData(err)) });
      }
    }),
  );
  const reports = await inspectServices(manager, services);
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
