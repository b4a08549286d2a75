/**
 * `nova-db status [--json]` (docs/ARCHITECTURE.md#stable-interfaces): every service with its profile,
 * state, URL (password masked), port and pid, and the reason and fix when
 * it is not healthy. It reports what is running now, whoever started it
 * (`nova-db up` in another process, `serve`, the desktop app). Exit 0 even
 * when services are stopped — it is a report; non-zero only when it cannot
 * report (bad configuration, unusable data dir).
 *
 * Registration only; the work is in ../actions/status.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { toOneLineError } from '../views/one-line-errors.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show each data service: profile, state, URL (password masked), port, pid')
    .action(async (_options: unknown, command: Command) => {
      try {
        // Loaded on demand: the service manager is not needed to start the CLI.
        const { status } = await import('../actions/status.js');
        await status(ctx, command.optsWithGlobals<GlobalOptions>());
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}
