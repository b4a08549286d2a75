/**
 * The Docker provider lives in ./docker/ (written separately against the
 * contract in types.ts: DockerDetection, ProviderFactory). It is loaded
 * lazily — a native or embedded install never pays for it — and only
 * through here, so detection and the ServiceManager keep working, and say
 * why, when it fails to load.
 */
import type { DockerDetection, ProviderFactory } from './types.js';

export interface DockerModule {
  detectDocker(): Promise<DockerDetection>;
  createDockerProvider: ProviderFactory;
}

export type DockerModuleLoad = { module: DockerModule } | { module: null; reason: string };

/** How the module is imported; injectable so the "cannot load" path is testable. */
export type DockerImporter = () => Promise<Partial<DockerModule>>;

const defaultImporter: DockerImporter = () => import('./docker/index.js');

export async function loadDockerModule(
  importer: DockerImporter = defaultImporter,
): Promise<DockerModuleLoad> {
  let loaded: Partial<DockerModule>;
  try {
    loaded = await importer();
  } catch (err) {
    return {
      module: null,
      reason: `not checked (the Docker provider module failed to load: ${err instanceof Error ? err.message : String(err)})`,
    };
  }
  if (
    typeof loaded.detectDocker !== 'function' ||
    typeof loaded.createDockerProvider !== 'function'
  ) {
    return {
      module: null,
      reason:
        'not checked (the Docker provider module lacks detectDocker() or createDockerProvider())',
    };
  }
  return {
    module: {
      detectDocker: loaded.detectDocker,
      createDockerProvider: loaded.createDockerProvider,
    },
  };
}
