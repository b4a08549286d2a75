/**
 * Pure builders for every docker command the provider runs. Each returns an
 * argument array plus the environment to run it with; nothing here executes
 * anything, so the exact command lines are unit-tested.
 *
 * Rules the builders enforce:
 * - a fixed project name (`-p nova-db`), so the stack is found again no matter
 *   which directory nova-db was started from;
 * - absolute compose file paths, for the same reason;
 * - secrets only in `env`, never in `args`;
 * - service names and counts validated, so no value can turn into a flag.
 */
import path from 'node:path';
import { NovaError } from '../../errors.js';
import type { CommandSpec } from './command-runner.js';

/** The Compose project every nova-db container belongs to. */
export const COMPOSE_PROJECT = 'nova-db';

/**
 * How Compose v2+ is reached: the `docker compose` CLI plugin, or the
 * standalone Go binary installed as `docker-compose` (same flags).
 */
export type ComposeInvocation = 'plugin' | 'standalone';

/** Everything a compose command needs besides its verb. */
export interface ComposeTarget {
  /** Absolute paths of the compose files, in `-f` order. */
  files: string[];
  invocation: ComposeInvocation;
  /** Interpolation variables for the compose file: credentials, ports, names. */
  env: Record<string, string>;
  /** Compose profiles to enable (the dev file keeps its admin tools under `tools`). */
  profiles?: string[];
}

/** Most log lines `logs` may ask for in one call. */
export const MAX_LOG_LINES = 10_000;

/** Compose service names: letters, digits, `_ . -`, not starting with `-`. */
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const PROFILE_NAME = SERVICE_NAME;

function invalid(message: string, fix: string): NovaError {
  return new NovaError('INVALID_ARGUMENT', message, { fix });
}

function checkServices(services: readonly string[]): void {
  for (const s of services) {
    if (!SERVICE_NAME.test(s)) {
      throw invalid(
        `"${s}" is not a valid Compose service name.`,
        'Use the name of a service from the compose file (letters, digits, "_", "." or "-").',
      );
    }
  }
}

/** `docker compose -p nova-db -f FILE… [--profile P…]` — the common prefix of every compose command. */
function composeBase(target: ComposeTarget): { file: string; args: string[] } {
  if (target.files.length === 0) {
    throw invalid('No compose file was given.', 'Pass the absolute path of docker-compose.yml.');
  }
  const args: string[] = [];
  for (const f of target.files) {
    if (!path.isAbsolute(f)) {
      throw invalid(
        `The compose file path "${f}" is relative; it must be absolute.`,
        'Resolve the path against the install directory before building the command.',
      );
    }
    args.push('-f', f);
  }
  for (const p of target.profiles ?? []) {
    if (!PROFILE_NAME.test(p)) {
      throw invalid(
        `"${p}" is not a valid Compose profile name.`,
        'Use a profile defined in the compose file, e.g. "tools".',
      );
    }
    args.push('--profile', p);
  }
  const prefix = ['-p', COMPOSE_PROJECT, ...args];
  return target.invocation === 'plugin'
    ? { file: 'docker', args: ['compose', ...prefix] }
    : { file: 'docker-compose', args: prefix };
}

function compose(target: ComposeTarget, verb: string[]): CommandSpec {
  const base = composeBase(target);
  return { file: base.file, args: [...base.args, ...verb], env: { ...target.env } };
}

/**
 * `up -d SERVICE…`. Deliberately without `--wait` (Compose ≥ 2.1.1 only, and
 * silent while it waits): the provider polls `ps` instead, which works on
 * every v2 and reports each service's state as it changes.
 */
export function composeUp(target: ComposeTarget, services: readonly string[]): CommandSpec {
  checkServices(services);
  return compose(target, ['up', '-d', ...services]);
}

/** `stop SERVICE…`: containers and volumes are kept, so the next start is quick and loses nothing. */
export function composeStop(target: ComposeTarget, services: readonly string[]): CommandSpec {
  checkServices(services);
  return compose(target, ['stop', ...services]);
}

/** `down`: removes the containers and network. Never `-v` — the named volumes hold the databases. */
export function composeDown(target: ComposeTarget): CommandSpec {
  return compose(target, ['down']);
}

/** `ps --all --format json SERVICE…` — `--all` so an exited container is reported, not hidden. */
export function composePs(target: ComposeTarget, services: readonly string[] = []): CommandSpec {
  checkServices(services);
  return compose(target, ['ps', '--all', '--format', 'json', ...services]);
}

/** Throws INVALID_ARGUMENT unless `lines` is a whole number from 1 to MAX_LOG_LINES. */
export function checkLogLineCount(lines: number): void {
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
    throw invalid(
      `Cannot show ${String(lines)} log lines: the count must be a whole number from 1 to ${MAX_LOG_LINES}.`,
      `Ask for between 1 and ${MAX_LOG_LINES} lines.`,
    );
  }
}

/** `logs --no-color --no-log-prefix --tail N SERVICE`: the last N lines, as the server wrote them. */
export function composeLogs(target: ComposeTarget, service: string, lines: number): CommandSpec {
  checkServices([service]);
  checkLogLineCount(lines);
  return compose(target, [
    'logs',
    '--no-color',
    '--no-log-prefix',
    '--tail',
    String(lines),
    service,
  ]);
}

/** `docker compose version` (plugin) or `docker-compose version` (standalone binary, v1 or v2). */
export function composeVersion(invocation: ComposeInvocation): CommandSpec {
  return invocation === 'plugin'
    ? { file: 'docker', args: ['compose', 'version'], env: {} }
    : { file: 'docker-compose', args: ['version'], env: {} };
}

/**
 * `docker info` as JSON. The Go template `{{json .}}` rather than the
 * `json` keyword: the keyword only exists since Docker 23, the template
 * works on every client and prints the same document.
 */
export function dockerInfo(): CommandSpec {
  return { file: 'docker', args: ['info', '--format', '{{json .}}'], env: {} };
}

/** `docker --version`: the client version, for when `docker info` printed no JSON. */
export function dockerClientVersion(): CommandSpec {
  return { file: 'docker', args: ['--version'], env: {} };
}
