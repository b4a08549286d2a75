/**
 * How the CLI reports results and failures (docs/ARCHITECTURE.md#stable-interfaces): exit 0 on success;
 * otherwise a one-line reason on stderr (`nova-db: …`, then `fix: …`) and,
 * with --json, the same error as data on stdout for scripts.
 */
import { NovaError, type ErrorData } from '../core/errors.js';
import { redactSecrets } from '../core/config/redact.js';
import type { CliIo } from './context.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** Wrong command, option or option value: the invocation itself must change. */
export const EXIT_USAGE = 2;

/**
 * Thrown by a command that has already printed its outcome — a report on
 * stdout and one line per problem on stderr (`doctor` with an error
 * finding, `up` with a service that did not start) — and only needs the
 * process to end with `exitCode`. runCli prints nothing more for it, so
 * `--json` output stays one JSON document.
 */
export class ReportedFailure extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'ReportedFailure';
    this.exitCode = exitCode;
  }
}

export function printJson(io: Pick<CliIo, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

/** Reports any thrown value and returns the exit code to use. */
export function reportError(
  io: Pick<CliIo, 'stdout' | 'stderr'>,
  err: unknown,
  json: boolean,
  verbose = false,
): number {
  const data: ErrorData =
    err instanceof NovaError
      ? err.toData()
      : {
          name: err instanceof Error ? err.name : 'Error',
          code: 'INTERNAL',
          message: `Unexpected error: ${err instanceof Error ? err.message : String(err)}`,
          fix: 'This is a bug in Nova DB; run again with NOVA_LOG_LEVEL=debug and report the output.',
        };
  // Messages may quote driver errors, which can carry connection strings.
  const safe: ErrorData = {
    ...data,
    message: redactSecrets(data.message),
    ...(data.fix ? { fix: redactSecrets(data.fix) } : {}),
  };
  io.stderr(`nova-db: ${safe.message}\n${safe.fix ? `fix: ${safe.fix}\n` : ''}`);
  if (verbose && !(err instanceof NovaError) && err instanceof Error && err.stack)
    io.stderr(`${redactSecrets(err.stack)}\n`);
  if (json) printJson(io, { error: safe });
  return EXIT_FAILURE;
}

/** A usage error found by the argument parser (already printed to stderr by it). */
export function reportUsageError(
  io: Pick<CliIo, 'stdout'>,
  message: string,
  json: boolean,
): number {
  if (json) {
    printJson(io, {
      error: {
        name: 'UsageError',
        code: 'INVALID_ARGUMENT',
        message,
        fix: 'Run nova-db --help for usage.',
      },
    });
  }
  return EXIT_USAGE;
}
