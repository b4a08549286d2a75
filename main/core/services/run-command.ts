/**
 * The one way services code runs a program (main/core/services/README.md, docs/ARCHITECTURE.md#child-processes):
 * execa with an argument array — never a shell string — and, when it fails,
 * an error that keeps the command line, the exit code and the tail of stderr
 * so a person can see what went wrong without digging through logs.
 */
import { execa } from 'execa';
import { NovaError, type ErrorCode } from '../errors.js';
import { redactSecrets } from '../config/redact.js';

export interface RunOptions {
  /** Kill the program after this long (default 30 s). */
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment variables (merged over the current environment). */
  env?: Record<string, string>;
  /**
   * Run as this OS user (via `runuser -u USER --`). Only meaningful when we
   * are root; used for PostgreSQL, which refuses to run as root.
   */
  asUser?: string;
  /** Error code when the program exits non-zero (default SERVICE_UNAVAILABLE). */
  failureCode?: ErrorCode;
  /** What a person can do when it fails. */
  fix?: string;
  /** Short description for the error message ("initdb", "pg_ctl start"…). */
  what?: string;
}

export interface RunResult {
  /** The command line as shown to people (secrets redacted). */
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A program that could not be run or exited non-zero; keeps what a person needs to diagnose it. */
export class CommandError extends NovaError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      command: string;
      exitCode: number | null;
      stderrTail: string;
      fix?: string;
      cause?: unknown;
    },
  ) {
    super(code, message, { fix: details.fix, cause: details.cause });
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stderrTail = details.stderrTail;
  }
}

/** The last `lines` non-empty lines of `text`. */
export function tailLines(text: string, lines = 15): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}

/** Renders an argv for display: arguments with spaces or quotes are quoted, secrets masked. */
export function displayCommand(file: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return redactSecrets([file, ...args].map(quote).join(' '));
}

/** The argv that runs `file args` as `user` (runuser keeps it an argv: no shell is involved). */
export function asUserArgv(
  file: string,
  args: readonly string[],
  user: string | undefined,
): [string, string[]] {
  return user === undefined ? [file, [...args]] : ['runuser', ['-u', user, '--', file, ...args]];
}

/**
 * Runs a program to completion. Resolves with its output when it exits 0;
 * otherwise throws CommandError (BINARY_MISSING when the program does not
 * exist, TIMEOUT when it overran, `failureCode` when it exited non-zero).
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const [cmd, argv] = asUserArgv(file, args, options.asUser);
  const command = displayCommand(file, args);
  const what = options.what ?? file;
  const result = await execa(cmd, argv, {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    all: false,
    stripFinalNewline: true,
  });
  const stderr = String(result.stderr ?? '');
  const stdout = String(result.stdout ?? '');
  const stderrTail = redactSecrets(tailLines(stderr || stdout));
  const details = { command, exitCode: result.exitCode ?? null, stderrTail, cause: result.cause };

  // Through runuser a missing program is exit 127 rather than ENOENT.
  const missing =
    (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ||
    (options.asUser !== undefined && result.exitCode === 127);
  if (missing) {
    throw new CommandError('BINARY_MISSING', `${what}: the program ${file} was not found.`, {
      ...details,
      fix: options.fix ?? `Install ${file} or put its directory on PATH.`,
    });
  }
  if (result.timedOut) {
    throw new CommandError(
      'TIMEOUT',
      `${what} did not finish within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s (${command}).`,
      { ...details, fix: options.fix },
    );
  }
  if (result.failed) {
    const how =
      result.exitCode !== undefined
        ? `exited with code ${result.exitCode}`
        : `was killed (${result.signal ?? 'unknown signal'})`;
    throw new CommandError(
      options.failureCode ?? 'SERVICE_UNAVAILABLE',
      `${what} failed: \`${command}\` ${how}${stderrTail ? `:\n${stderrTail}` : '.'}`,
      { ...details, fix: options.fix },
    );
  }
  return { command, stdout, stderr, exitCode: result.exitCode ?? 0 };
}
