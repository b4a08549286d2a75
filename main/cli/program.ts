/**
 * The `nova-db` command tree. Each command lives in commands/<name>.ts and
 * exports a register function; adding one (status, up, down, doctor,
 * migrate, backup…) is one import and one line in COMMANDS.
 *
 * Start-up time: every invocation (even --version and --help) imports this
 * file and so every commands/*.ts. Those modules therefore hold only what
 * parsing needs — names, options, help text, argument parsers, checks made
 * at parse time — and their action handlers load the implementation from
 * actions/<name>.ts with `await import()`. A static import of an action
 * (or of anything that pulls in a database driver, execa or zod) here or in
 * commands/ would make every command pay for all of them again.
 */
import { Command } from 'commander';
import { registerBackup } from './commands/backup.js';
import { registerBackups } from './commands/backups.js';
import { registerRestore } from './commands/restore.js';
import { registerServe } from './commands/serve.js';
import { registerVerify } from './commands/verify.js';
import { registerStatus } from './commands/status.js';
import { registerUp } from './commands/up.js';
import { registerDown } from './commands/down.js';
import { registerDoctor } from './commands/doctor.js';
import { registerMigrate } from './commands/migrate.js';
import { registerService } from './commands/service.js';
import { buildCommit, packageVersion } from '../core/package-version.js';
import type { CliContext } from './context.js';

type RegisterCommand = (program: Command, ctx: CliContext) => void;

const COMMANDS: RegisterCommand[] = [
  registerServe,
  registerStatus,
  registerUp,
  registerDown,
  registerDoctor,
  registerBackup,
  registerVerify,
  registerRestore,
  registerBackups,
  registerMigrate,
  registerService,
];

export function createProgram(ctx: CliContext): Command {
  const program = new Command('nova-db')
    .description('Nova Database Appliance: run, check and migrate the Nova data services')
    .version(`${packageVersion()} (commit ${buildCommit()})`, '-V, --version')
    // Global options are read by commands through optsWithGlobals(); the
    // environment variable is applied by loadConfig, not commander, so the
    // config can tell a flag from an env var when it reports a bad value.
    .option(
      '--data-dir <dir>',
      'where data, settings and backups live (env NOVA_DATA_DIR; default: the OS app-data dir)',
    )
    .option('--json', 'machine-readable output on stdout (logs stay on stderr)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout(s),
      writeErr: (s) => ctx.stderr(s),
      outputError: (s, write) =>
        write(`nova-db: ${oneLine(s)}\nfix: run "nova-db --help" for usage.\n`),
    });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Commander's messages start with "error: " and may put a suggestion on a second line. */
export function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}
