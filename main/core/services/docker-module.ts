/**
 * The Docker provider lives in ./docker/ and is written separately; this
 * loader is the only place that reaches for it, so detection and the
 * ServiceManager work (and say so) when it is absent or broken. The
 * contract it must meet is in types.ts (DockerDetection, ProviderFactory).
 */
import type { DockerDetection, ProviderFactory } from './types.js';

export interface DockerModule {
  detectDocker(): Promise<DockerDetection>;
  createDockerProvider?: ProviderFactory;
}

export type DockerModuleLoad = { module: DockerModule } | { module: null; reason: string };

/**
 * Loads ./docker/index.js. The specifier is computed so the type checker
 * does not require the module to exist at compile time; exports are checked
 * at run time instead.
 */
export async function loadDockerModule(specifier = './docker/index.js'): Promise<DockerModuleLoad> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(new URL(specifier, import.meta.url).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|does not exist/i.test(String(err));
    return {
      module: null,
      reason: missing ? 'not checked (the Docker provider module is not installed)' : `not checked (the Docker provider module failed to load: ${String(err)})`,
    };
  }
  if (typeof loaded.detectDocker !== 'function') {
    return { module: null, reason: 'not checked (the Docker provider module has no detectDocker())' };
  }
  return {
    module: {
      detectDocker: loaded.detectDocker as DockerModule['detectDocker'],
      ...(typeof loaded.createDockerProvider === 'function'
        ? { createDockerProvider: loaded.createDockerProvider as ProviderFactory }
        : {}),
    },
  };
}
