/**
 * `nova-db doctor [--json]` (main/core/services/README.md, docs/ARCHITECTURE.md#stable-interfaces): what is installed and running
 * on this machine, whether the configured profiles can work here, and for
 * each problem the fix. The --json document is a stable interface,
 * documented in docs/cli-doctor.md and locked by doctorReportSchema.
 *
 * Exit status 0 when no finding is an error, 1 otherwise. A configuration
 * that cannot be read is itself a finding (the machine is still checked).
 *
 * Registration only; the work is in ../actions/doctor.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { toOneLineError } from '../views/one-line-errors.js';

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check this machine and the configuration: Docker, server programs, running servers, profiles — with fixes',
    )
    .action(async (_options: unknown, command: Command) => {
      try {
        // Loaded on demand, not at start-up: the machine checks (execa, the service probes).
        const { doctor } = await import('../actions/doctor.js');
        await doctor(ctx, command.optsWithGlobals<GlobalOptions>());
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}
