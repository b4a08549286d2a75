/**
 * "Can this machine run the Docker profile?" — the client, the engine and
 * Compose, each with the reason and the fix when it cannot (main/core/services/README.md, "Detect for real").
 * Runs only client-side commands and `docker info`; it never starts or
 * changes anything, and never throws for a missing or stopped Docker.
 */
import { NovaError, type ErrorCode } from '../../errors.js';
import type { DockerDetection } from '../types.js';
import {
  FIX_INSTALL_COMPOSE_V2,
  FIX_INSTALL_DOCKER,
  describeDockerFailure,
  type DockerFailureKind,
} from './classify-docker-error.js';
import { execaRunner, type CommandRunner, type CommandSpec } from './command-runner.js';
import {
  composeVersion,
  dockerClientVersion,
  dockerInfo,
  type ComposeInvocation,
} from './compose-commands.js';
import { parseComposeVersion } from './parse-compose-version.js';
import { parseDockerInfo, parseDockerVersionFlag } from './parse-docker-info.js';

/** One reason the Docker profile cannot run here. */
export interface DockerProblem {
  kind: DockerFailureKind;
  code: ErrorCode;
  message: string;
  fix: string;
}

/** DockerDetection plus what the provider and the UI need to act on it. */
export interface DockerDetectionReport extends DockerDetection {
  /** What a person can do about `reason`. */
  fix?: string;
  /** How to run Compose v2+, when it is usable. */
  invocation: ComposeInvocation | null;
  /** Every problem found, engine first (`reason`/`fix` repeat the first one). */
  problems: DockerProblem[];
}

export interface DetectDockerOptions {
  runner?: CommandRunner;
  /** Budget for each command (default 15 s; `docker info` waits for a slow engine). */
  timeoutMs?: number;
}

/** Runs the three checks and assembles the report. */
export async function detectDocker(
  options: DetectDockerOptions = {},
): Promise<DockerDetectionReport> {
  const runner = options.runner ?? execaRunner;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const run = (spec: CommandSpec) => runner({ ...spec, timeoutMs });
  const problems: DockerProblem[] = [];

  // 1. Client and engine, in one command.
  const infoCommand = dockerInfo();
  const infoResult = await run(infoCommand);
  let client: string | null = null;
  let server: string | null = null;
  let engine: DockerDetection['engine'];
  if (infoResult.spawnError === 'ENOENT') {
    engine = 'absent';
    problems.push({
      kind: 'docker-missing',
      code: 'BINARY_MISSING',
      message: 'Docker is not installed (no `docker` program on PATH).',
      fix: FIX_INSTALL_DOCKER,
    });
  } else {
    const info = parseDockerInfo(infoResult.stdout, infoResult.stderr);
    client = info.clientVersion;
    server = info.serverVersion;
    if (client === null) {
      const flag = await run(dockerClientVersion());
      client = flag.exitCode === 0 ? parseDockerVersionFlag(flag.stdout) : null;
    }
    if (server !== null) {
      engine = 'running';
    } else {
      engine = 'not-running';
      // Docker 28 exits 1 with the reason on stderr; clients 20–27 put it in ServerErrors.
      const failure = describeDockerFailure(infoCommand, {
        ...infoResult,
        stderr: info.serverError ?? infoResult.stderr,
      });
      problems.push({
        kind: failure.kind,
        code: failure.code,
        message: failure.problem,
        fix: failure.fix,
      });
    }
  }

  // 2. Compose: the plugin first, then a standalone binary (v2 or the old v1).
  let compose: DockerDetection['compose'] = null;
  let composeVersionText: string | undefined;
  let invocation: ComposeInvocation | null = null;
  if (engine !== 'absent') {
    const plugin = await run(composeVersion('plugin'));
    const parsed = plugin.exitCode === 0 ? parseComposeVersion(plugin.stdout) : null;
    if (parsed?.generation === 'v2') {
      compose = 'v2';
      composeVersionText = parsed.version;
      invocation = 'plugin';
    }
  }
  if (compose === null) {
    const standalone = await run(composeVersion('standalone'));
    const parsed = standalone.exitCode === 0 ? parseComposeVersion(standalone.stdout) : null;
    if (parsed) {
      compose = parsed.generation;
      composeVersionText = parsed.version;
      invocation = parsed.generation === 'v2' ? 'standalone' : null;
    }
  }
  if (compose === 'v1') {
    problems.push({
      kind: 'compose-missing',
      code: 'BINARY_MISSING',
      message: `Only Docker Compose v1 (docker-compose ${composeVersionText}) is installed; Compose v2 (\`docker compose\`) is required.`,
      fix: FIX_INSTALL_COMPOSE_V2,
    });
  } else if (compose === null && engine !== 'absent') {
    problems.push({
      kind: 'compose-missing',
      code: 'BINARY_MISSING',
      message: 'Docker Compose v2 (`docker compose`) is not installed.',
      fix: FIX_INSTALL_COMPOSE_V2,
    });
  }

  const first = problems[0];
  return {
    client,
    engine,
    compose,
    versions: {
      ...(client ? { client } : {}),
      ...(server ? { server } : {}),
      ...(composeVersionText ? { compose: composeVersionText } : {}),
    },
    invocation,
    problems,
    ...(first ? { reason: first.message, fix: first.fix } : {}),
  };
}

/** Thrown when the Docker profile is asked to act on a machine where detection found a problem. */
export class DockerUnavailableError extends NovaError {
  readonly kind: DockerFailureKind;

  constructor(problem: DockerProblem) {
    super(problem.code, `The Docker profile cannot run here: ${problem.message}`, {
      fix: problem.fix,
    });
    this.kind = problem.kind;
  }
}
