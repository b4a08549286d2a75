/**
 * `nova-db service install|uninstall`: the systemd unit that runs
 * `nova-db serve` at boot as a hardened service (Linux).
 *
 * Registration only; the work is in ../actions/service.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import type { ServiceOptions } from '../actions/service.js';

const TARGET_DIR_HELP = 'folder for nova-db.service (default: /etc/systemd/system)';

export function registerService(program: Command, ctx: CliContext): void {
  const service = program
    .command('service')
    .description('install or remove the systemd service that runs nova-db serve at boot');
  service
    .command('install')
    .description(
      'write nova-db.service (hardened: DynamicUser, ProtectSystem=strict, data in /var/lib)',
    )
    .option('--target-dir <dir>', TARGET_DIR_HELP)
    .option('--binary <path>', 'the nova-db binary the service runs (default: this nova-db)')
    .option('--dry-run', 'print the unit instead of writing it')
    .option('--force', 'replace a nova-db.service that nova-db did not write')
    .action(async (options: ServiceOptions, command: Command) => {
      const { serviceInstall } = await import('../actions/service.js');
      await serviceInstall(ctx, command.optsWithGlobals<GlobalOptions & ServiceOptions>(), options);
    });
  service
    .command('uninstall')
    .description('remove the nova-db.service that service install wrote (data is kept)')
    .option('--target-dir <dir>', TARGET_DIR_HELP)
    .option('--dry-run', 'say what would be removed without removing it')
    .action(async (options: ServiceOptions, command: Command) => {
      const { serviceUninstall } = await import('../actions/service.js');
      await serviceUninstall(
        ctx,
        command.optsWithGlobals<GlobalOptions & ServiceOptions>(),
        options,
      );
    });
}
