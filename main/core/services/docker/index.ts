/**
 * The Docker provider module (loaded by ../docker-module.ts). Exports the two
 * entry points the rest of the appliance relies on — detectDocker and
 * createDockerProvider — plus the pieces other modules may reuse.
 */
export { detectDocker, DockerUnavailableError } from './detect-docker.js';
export type { DockerDetectionReport, DockerProblem, DetectDockerOptions } from './detect-docker.js';
export { createDockerProvider, DockerProvider } from './docker-provider.js';
export { DEFAULT_DOCKER_PORTS, DOCKER_DB_USER, DOCKER_PG_DATABASE } from './docker-stack.js';
export type { DockerProviderOptions } from './docker-provider.js';
export { execaRunner } from './command-runner.js';
export type { CommandRunner, CommandSpec, CommandResult } from './command-runner.js';
export { COMPOSE_PROJECT } from './compose-commands.js';
export { findComposeFile, COMPOSE_FILE_NAMES } from './compose-files.js';
export type { ComposeStack } from './compose-files.js';
export { DockerCommandError } from './classify-docker-error.js';
export type { DockerFailureKind } from './classify-docker-error.js';
