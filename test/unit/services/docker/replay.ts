/**
 * The test seam of the Docker provider: a CommandRunner that answers each
 * command with what a real docker printed (test/fixtures/docker/*.json).
 * It checks the commands it receives against a script, so a test fails when
 * the provider runs anything it did not expect.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  CommandResult,
  CommandRunner,
  CommandSpec,
} from '../../../../main/core/services/docker/command-runner.js';

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../fixtures/docker',
);

/** A recorded command run, as stored in the fixtures directory. */
export interface Fixture {
  description: string;
  recorded: 'local' | 'published';
  source: string;
  argv: string[];
  exitCode: number | null;
  spawnError: string | null;
  stdout: string;
  stderr: string;
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
}

/** The fixture as the runner's result. */
export function recorded(name: string): CommandResult {
  const f = loadFixture(name);
  return {
    exitCode: f.exitCode,
    stdout: f.stdout,
    stderr: f.stderr,
    spawnError: f.spawnError,
    timedOut: false,
  };
}

/** One expected command: its argv must end with `tail` (e.g. ['ps', '--all', '--format', 'json', 'postgres']). */
export interface Step {
  tail: string[];
  /** Fixture name, or a result when a test needs a situation in between (e.g. a timeout). */
  reply: string | CommandResult;
}

export interface Replay {
  runner: CommandRunner;
  /** Every command received, in order. */
  calls: CommandSpec[];
  /** Steps not consumed yet. */
  remaining(): Step[];
}

function endsWith(argv: string[], tail: string[]): boolean {
  return (
    tail.length <= argv.length && tail.every((t, i) => argv[argv.length - tail.length + i] === t)
  );
}

/** A runner that plays `steps` in order and throws on any unexpected command. */
export function replay(steps: Step[]): Replay {
  const queue = [...steps];
  const calls: CommandSpec[] = [];
  const runner: CommandRunner = (spec) => {
    calls.push(spec);
    const argv = [spec.file, ...spec.args];
    const next = queue.shift();
    if (!next)
      return Promise.reject(
        new Error(`unexpected command after the script ended: ${argv.join(' ')}`),
      );
    if (!endsWith(argv, next.tail)) {
      return Promise.reject(
        new Error(
          `expected a command ending with "${next.tail.join(' ')}", got: ${argv.join(' ')}`,
        ),
      );
    }
    return Promise.resolve(typeof next.reply === 'string' ? recorded(next.reply) : next.reply);
  };
  return { runner, calls, remaining: () => [...queue] };
}
