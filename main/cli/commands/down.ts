/**
 * `nova-db down [--service NAME] [--json]` (docs/ARCHITECTURE.md#stable-interfaces): stops the servers of
 * the native and docker profiles — including ones `nova-db up` started in
 * an earlier process, found through `<dataDir>/services/state.json` and
 * adopted — and waits until their processes are gone. External servers
 * are never touched; embedded services have nothing to stop.
 *
 * Registration only; the work is in ../actions/down.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { ServiceName } from '../../core/services/types.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { toOneLineError } from '../views/one-line-errors.js';
import { parseServiceName } from './services-shared.js';

export interface DownOptions {
  service?: ServiceName;
}

export function registerDown(program: Command, ctx: CliContext): void {
  program
    .command('down')
    .description('stop the native and docker data services (external servers are left alone)')
    .option('--service <name>', 'only this service: postgres, redis or mongo', parseServiceName)
    .action(async (options: DownOptions, command: Command) => {
      try {
        // Loaded on demand, not at start-up: the service manager and its providers.
        const { down } = await import('../actions/down.js');
        await down(ctx, command.optsWithGlobals<GlobalOptions & DownOptions>(), options);
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}
