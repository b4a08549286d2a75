/**
 * The native-profile settings of the configuration (NOVA_BIN_SEARCH_DIRS,
 * NOVA_NATIVE_*_PORT) as NativeProvider options. One translation, used by
 * the ServiceManager and by detection (the doctor), so both search the same
 * directories and check the same ports.
 */
import type { NovaConfig } from '../config/schema.js';
import type { NativeProviderOptions } from './native/native-provider.js';
import type { ServiceName } from './types.js';

export type NativeConfigOptions = Pick<NativeProviderOptions, 'searchDirs' | 'ports'>;

/** NOVA_BIN_SEARCH_DIRS split like PATH (`;` on Windows, `:` elsewhere); undefined when not set. */
export function searchDirsFromConfig(
  config: Pick<NovaConfig, 'NOVA_BIN_SEARCH_DIRS'>,
  platform: NodeJS.Platform = process.platform,
): string[] | undefined {
  const raw = config.NOVA_BIN_SEARCH_DIRS;
  if (raw === undefined) return undefined;
  return raw
    .split(platform === 'win32' ? ';' : ':')
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/** Ports fixed through NOVA_NATIVE_<SERVICE>_PORT. */
export function fixedNativePorts(
  config: Pick<
    NovaConfig,
    'NOVA_NATIVE_POSTGRES_PORT' | 'NOVA_NATIVE_MONGO_PORT' | 'NOVA_NATIVE_REDIS_PORT'
  >,
): Partial<Record<ServiceName, number>> {
  return {
    ...(config.NOVA_NATIVE_POSTGRES_PORT ? { postgres: config.NOVA_NATIVE_POSTGRES_PORT } : {}),
    ...(config.NOVA_NATIVE_MONGO_PORT ? { mongo: config.NOVA_NATIVE_MONGO_PORT } : {}),
    ...(config.NOVA_NATIVE_REDIS_PORT ? { redis: config.NOVA_NATIVE_REDIS_PORT } : {}),
  };
}

export function nativeOptionsFromConfig(
  config: NovaConfig,
  platform: NodeJS.Platform = process.platform,
): NativeConfigOptions {
  const searchDirs = searchDirsFromConfig(config, platform);
  const ports = fixedNativePorts(config);
  return {
    ...(searchDirs ? { searchDirs } : {}),
    ...(Object.keys(ports).length > 0 ? { ports } : {}),
  };
}
