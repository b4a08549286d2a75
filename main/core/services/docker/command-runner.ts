/**
 * The seam between the Docker provider and the real `docker` program. Every
 * command the provider runs goes through a CommandRunner that returns what
 * the program printed and how it exited — it never throws for a failed
 * command, so the provider's own logic (classifying errors, parsing output)
 * is the same whether the runner is execa or a replay of recorded outputs.
 */
import { execa } from 'execa';

/** One program invocation: an argument array, never a shell string. */
export interface CommandSpec {
  file: string;
  args: string[];
  /**
   * Extra environment variables merged over the current environment. This is
   * where Compose gets the generated secrets, so they never appear in argv
   * (which any local user can read with `ps`).
   */
  env: Record<string, string>;
  /** Kill the program after this long. */
  timeoutMs?: number;
}

/** What a program did. */
export interface CommandResult {
  /** Exit code, or null when the program never ran or was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** errno code when the program could not be started at all (`ENOENT` = not installed). */
  spawnError: string | null;
  /** True when the runner killed it for exceeding `timeoutMs`. */
  timedOut: boolean;
}

/** Runs one command to completion. Must resolve (not reject) for ordinary failures. */
export type CommandRunner = (spec: CommandSpec) => Promise<CommandResult>;

/** Default budget for one docker command; `compose up` pulling images gets more (see the provider). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** The real runner: execa with an argument array, `reject: false`, stdin closed. */
export const execaRunner: CommandRunner = async (spec) => {
  const result = await execa(spec.file, spec.args, {
    reject: false,
    env: spec.env,
    stdin: 'ignore',
    timeout: spec.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  });
  const cause = result.cause as NodeJS.ErrnoException | undefined;
  return {
    exitCode: result.exitCode ?? null,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    spawnError:
      typeof cause?.code === 'string' && result.exitCode === undefined ? cause.code : null,
    timedOut: result.timedOut === true,
  };
};
