/**
 * Turns what a failed docker command printed into a NovaError a person can
 * act on. The patterns are Docker's own wording, taken from real outputs
 * (test/fixtures/docker/), newest and oldest client wordings alike; anything
 * unrecognised still fails with the command, exit code and stderr tail.
 */
import { redactSecrets } from '../../config/redact.js';
import type { ErrorCode } from '../../errors.js';
import { CommandError, displayCommand, tailLines } from '../run-command.js';
import type { CommandResult, CommandSpec } from './command-runner.js';

/** A host port the stack publishes, so a "port in use" error can name its service and setting. */
export interface PortOwner {
  /** "PostgreSQL", "MongoDB", "Redis". */
  label: string;
  /** The variable that chooses the port, e.g. NOVA_PG_PORT. */
  variable: string;
}

export interface FailureContext {
  /** What we were doing, for the message ("Starting postgres"). */
  what: string;
  command: CommandSpec;
  result: CommandResult;
  /** Host ports of the stack, by port number. */
  portOwners?: ReadonlyMap<number, PortOwner>;
  /** Values that must never appear in the error (the generated passwords). */
  secrets?: readonly string[];
}

export const FIX_START_ENGINE =
  'Start Docker Desktop (Windows, macOS) or, on Linux, run `sudo systemctl start docker`; then try again.';
export const FIX_DOCKER_GROUP =
  'Add your user to the docker group (`sudo usermod -aG docker $USER`), then log out and back in (or run `newgrp docker`) and try again.';
export const FIX_INSTALL_COMPOSE_V2 =
  'Compose v2 is required (`docker compose`): install the docker-compose-plugin package (or update Docker Desktop). The old Python docker-compose v1 is not supported.';
export const FIX_INSTALL_DOCKER =
  'Install Docker Desktop (Windows, macOS) or Docker Engine with the compose plugin (Linux), or choose the native profile, which needs no Docker.';

const COMPOSE_MISSING = [
  /docker: 'compose' is not a docker command/i, // docker CLI ≤ 27
  /unknown command:? "?(?:docker )?compose"?/i, // docker CLI 28: `docker: unknown command: docker compose`
];
// Without the plugin, `docker compose -p …` fails on the first flag: "unknown shorthand flag: 'p' in -p".
const UNKNOWN_FLAG = /unknown (?:shorthand )?flag/i;

const PERMISSION_DENIED =
  /permission denied while trying to connect to the (?:Docker daemon socket|docker API) at ([^\s:]+:\/\/[^\s:]+)/i;

const ENGINE_DOWN = [
  /Cannot connect to the Docker daemon at ([^\s]+?)\.? Is the docker daemon running\?/i,
  /error during connect:.*?(?:daemon is not running|open (\/\/\.\/pipe\/[\w-]+))/i, // Windows named pipe
  /Couldn't connect to Docker daemon(?: at ([^\s]+))?/i, // Compose v1 wording
];

const PORT_IN_USE = [
  /Bind for ([^\s]+?):(\d+) failed: port is already allocated/i,
  /listen tcp[46]? ([^\s]*?):(\d+): bind: address already in use/i,
  /Ports are not available: exposing port \w+ ([^\s]*?):(\d+)/i, // Docker Desktop
];

const REGISTRY_UNREACHABLE = [
  /dial tcp: lookup ([^\s:]+)(?: on [^\s]+)?: (no such host|server misbehaving|i\/o timeout|[^\n"]+)/i,
  /Get "?https?:\/\/([^/"\s]+)\/v2\/"?: (net\/http: TLS handshake timeout|net\/http: request canceled[^\n]*|dial tcp [^\n]*|context deadline exceeded)/i,
];
const IMAGE_NOT_FOUND = [
  /pull access denied for ([^\s,]+)/i,
  /manifest for ([^\s]+) not found/i,
  /manifest unknown/i,
];

const MISSING_VARIABLE = [
  /required variable (\w+) is missing a value/i, // Compose v2
  /Missing mandatory value for "[^"]+" option interpolating .*? in service "([^"]+)"/i, // Compose v1
];

function firstMatch(patterns: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m;
  }
  return null;
}

/** Like firstMatch, but reads the output bottom-up: Compose ends with the daemon's own summary line. */
function lastLineMatch(patterns: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const line of text.split(/\r?\n/).reverse()) {
    const m = firstMatch(patterns, line);
    if (m) return m;
  }
  return null;
}

/** Masks URL passwords, `password=` pairs and the given secret values. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactSecrets(text);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Which problem Docker reported, for callers that must branch on it (never on message text). */
export type DockerFailureKind =
  | 'docker-missing'
  | 'compose-missing'
  | 'cannot-run'
  | 'timeout'
  | 'permission-denied'
  | 'engine-down'
  | 'port-in-use'
  | 'registry-unreachable'
  | 'image-not-found'
  | 'missing-variable'
  | 'other';

/** A recognised failure: stable code, what went wrong (one sentence), what to do. */
export interface DockerFailure {
  kind: DockerFailureKind;
  code: ErrorCode;
  problem: string;
  fix: string;
}

/** A docker command that failed; `kind` says which recognised problem it was. */
export class DockerCommandError extends CommandError {
  readonly kind: DockerFailureKind;

  constructor(
    kind: DockerFailureKind,
    code: ErrorCode,
    message: string,
    details: { command: string; exitCode: number | null; stderrTail: string; fix?: string },
  ) {
    super(code, message, details);
    this.kind = kind;
  }
}

/** Recognises a failed (non-zero, unstarted or timed-out) docker command from what it printed. */
export function describeDockerFailure(
  command: CommandSpec,
  result: CommandResult,
  portOwners?: ReadonlyMap<number, PortOwner>,
): DockerFailure {
  const output = `${result.stderr}\n${result.stdout}`;
  const shown = displayCommand(command.file, command.args);
  const d = (
    kind: DockerFailureKind,
    code: ErrorCode,
    problem: string,
    fix: string,
  ): DockerFailure => ({
    kind,
    code,
    problem,
    fix,
  });

  if (result.spawnError === 'ENOENT') {
    return command.file === 'docker'
      ? d(
          'docker-missing',
          'BINARY_MISSING',
          'Docker is not installed (no `docker` program on PATH).',
          FIX_INSTALL_DOCKER,
        )
      : d(
          'compose-missing',
          'BINARY_MISSING',
          `\`${command.file}\` is not installed.`,
          FIX_INSTALL_COMPOSE_V2,
        );
  }
  if (result.spawnError !== null) {
    return d(
      'cannot-run',
      'SERVICE_UNAVAILABLE',
      `\`${command.file}\` could not be run (${result.spawnError}).`,
      `Check that ${command.file} is installed correctly and that this user may run it.`,
    );
  }
  if (result.timedOut) {
    return d(
      'timeout',
      'TIMEOUT',
      `\`${shown}\` did not finish in time.`,
      'Docker may be busy (pulling images on a slow link, or starting up); check `docker info` and try again.',
    );
  }
  if (
    firstMatch(COMPOSE_MISSING, output) ||
    (command.file === 'docker' && command.args[0] === 'compose' && UNKNOWN_FLAG.test(output))
  ) {
    return d(
      'compose-missing',
      'BINARY_MISSING',
      'Docker Compose v2 (`docker compose`) is not installed.',
      FIX_INSTALL_COMPOSE_V2,
    );
  }
  const denied = PERMISSION_DENIED.exec(output);
  if (denied) {
    const socket = (denied[1] ?? 'the Docker socket').replace(/^unix:\/\//, '');
    return d(
      'permission-denied',
      'SERVICE_UNAVAILABLE',
      `Docker is running but this user may not use it: permission denied on ${socket}.`,
      FIX_DOCKER_GROUP,
    );
  }
  const down = firstMatch(ENGINE_DOWN, output);
  if (down) {
    const where = down[1] ? ` (nothing answers at ${down[1]})` : '';
    return d(
      'engine-down',
      'SERVICE_UNAVAILABLE',
      `Docker is installed but its engine is not running${where}.`,
      FIX_START_ENGINE,
    );
  }
  const port = firstMatch(PORT_IN_USE, output);
  if (port) {
    const host = port[1] === '' || port[1] === undefined ? '0.0.0.0' : port[1];
    const number = Number(port[2]);
    const owner = portOwners?.get(number);
    const whose = owner ? `${owner.label}'s port ${number}` : `Port ${number}`;
    const choose = owner
      ? `, or choose another port with ${owner.variable}`
      : ', or publish the service on another port';
    return d(
      'port-in-use',
      'PORT_IN_USE',
      `${whose} on ${host} is already in use by another program or container.`,
      `Stop whatever listens on ${host}:${number} (find it with \`ss -ltnp 'sport = :${number}'\`, \`lsof -i :${number}\` or \`docker ps\`)${choose}, then try again.`,
    );
  }
  const unreachable = lastLineMatch(REGISTRY_UNREACHABLE, result.stderr);
  if (unreachable) {
    return d(
      'registry-unreachable',
      'SERVICE_UNAVAILABLE',
      `Docker could not download the database images: the registry ${unreachable[1]} is unreachable (${unreachable[2]?.trim()}).`,
      "Connect this machine to the internet (or set Docker's proxy / DNS) so the images can be pulled once, or load them offline with `docker load`; then try again. The native profile works without Docker.",
    );
  }
  const notFound = firstMatch(IMAGE_NOT_FOUND, output);
  if (notFound) {
    return d(
      'image-not-found',
      'SERVICE_UNAVAILABLE',
      `Docker could not download the image${notFound[1] ? ` ${notFound[1]}` : ''}: the registry refused it or it does not exist.`,
      'Check the image names in the compose file and that `docker login` is not required for them, then try again.',
    );
  }
  const missingVar = firstMatch(MISSING_VARIABLE, output);
  if (missingVar) {
    return d(
      'missing-variable',
      'CONFIG_INVALID',
      `The compose file needs a value that was not given (${missingVar[1]}).`,
      'nova-db passes the generated credentials itself; when running compose by hand, set the variables listed at the top of the compose file (e.g. in a .env file next to it).',
    );
  }
  const how = result.exitCode === null ? 'was stopped' : `exited with code ${result.exitCode}`;
  const last = tailLines(result.stderr || result.stdout, 1);
  return d(
    'other',
    'SERVICE_UNAVAILABLE',
    `\`${shown}\` ${how}${last ? `: ${last}` : '.'}`,
    `Run \`${shown}\` yourself to see the full output.`,
  );
}

/**
 * The error to throw for a failed docker command: the recognised problem,
 * plus the command, exit code and stderr tail (secrets scrubbed).
 */
export function classifyDockerFailure(ctx: FailureContext): DockerCommandError {
  const secrets = ctx.secrets ?? [];
  const failure = describeDockerFailure(ctx.command, ctx.result, ctx.portOwners);
  return new DockerCommandError(
    failure.kind,
    failure.code,
    scrubSecrets(`${ctx.what} failed: ${failure.problem}`, secrets),
    {
      command: displayCommand(ctx.command.file, ctx.command.args),
      exitCode: ctx.result.exitCode,
      stderrTail: scrubSecrets(tailLines(ctx.result.stderr || ctx.result.stdout, 15), secrets),
      fix: failure.fix,
    },
  );
}
