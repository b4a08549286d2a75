/**
 * `nova-db up [--service NAME] [--json]` (main/core/services/README.md, docs/ARCHITECTURE.md#stable-interfaces): starts the services
 * of the configured profiles — native servers under the data dir, the
 * Compose stack, or (external) a check that the configured server answers —
 * waits until each answers its handshake, prints where they are (passwords
 * masked) and exits. The servers keep running after `up` exits: native
 * ones are started detached and recorded in `<dataDir>/services/state.json`,
 * where `status`, `down`, `serve` and the app find and adopt them.
 *
 * One service failing does not stop the others; each failure is one
 * "nova-db: reason" + "fix: …" pair on stderr, and the exit status is 1.
 *
 * Registration only; the work is in ../actions/up.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { ServiceName } from '../../core/services/types.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { toOneLineError } from '../views/one-line-errors.js';
import { parseServiceName } from './services-shared.js';

export interface UpOptions {
  service?: ServiceName;
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
        // Loaded on demand, not at start-up: the service manager and its providers.
        const { up } = await import('../actions/up.js');
        await up(ctx, command.optsWithGlobals<GlobalOptions & UpOptions>(), options);
      } catch (err) {
        throw toOneLineError(ctx, err);
      }
    });
}
