/**
 * `nova-db verify PATH` (docs/ARCHITECTURE.md#stable-interfaces): re-check a backup — manifest, sha256 of
 * every part, passphrase and decryption, then a trial restore into scratch
 * databases on the configured servers — and record the result.
 *
 * Registration only; the work is in ../actions/verify.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description(
      'check a backup: checksums, decryption, and a trial restore into scratch databases',
    )
    .argument('<path>', 'backup folder, or a backup name from "nova-db backups"')
    .action(async (target: string, _options: unknown, command: Command) => {
      // Loaded on demand, not at start-up: the backup engine and the configuration.
      const { verify } = await import('../actions/verify.js');
      await verify(ctx, command.optsWithGlobals<GlobalOptions>(), target);
    });
}
