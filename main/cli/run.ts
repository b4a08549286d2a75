/**
 * Runs one CLI invocation and returns its exit code instead of exiting, so
 * the bin, `npm start` and tests share it.
 */
import { CommanderError } from 'commander';
import { createLogger } from '../core/logger.js';
import { cliEngineHost, sqliteEngineError } from '../core/sqlite-engine-error.js';
import { listenForProcessSignals, type CliContext, type CliIo } from './context.js';
import { EXIT_OK, ReportedFailure, reportError, reportUsageError } from './output.js';
import { createProgram, oneLine } from './program.js';

/** Commander "errors" that are really successful outcomes. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** `args` are the user's arguments (no `node` or script path). */
export async function runCli(args: string[], io: Partial<CliIo> = {}): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const base: CliIo = {
    stdout: io.stdout ?? ((s: string) => void process.stdout.write(s)),
    stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    onShutdown: io.onShutdown ?? (() => listenForProcessSignals()),
  };
  const ctx: CliContext = { ...base, logger: createLogger({ env: base.env, write: stderr }) };
  // Known before parsing so even a usage error can be answered as JSON.
  const end = args.indexOf('--');
  const json = (end === -1 ? args : args.slice(0, end)).includes('--json');

  const program = createProgram(ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ReportedFailure) return err.exitCode;
    if (err instanceof CommanderError) {
      if (NOT_ERRORS.has(err.code) || err.exitCode === 0) return EXIT_OK;
      return reportUsageError(ctx, oneLine(err.message), json);
    }
    // A SQLite engine that does not load (wrong ABI, missing file) fails
    // whichever command touches SQLite first; say so, not "unexpected error".
    const reported = sqliteEngineError(err, cliEngineHost()) ?? err;
    return reportError(ctx, reported, json, ctx.logger.level === 'debug');
  }
}
