/**
 * Reading the configuration the way every command does: the global options
 * (and a command's own flags for settings), then the log level and the
 * warnings applied. Kept out
 * of commands/ because loading the configuration pulls in
 * zod and dotenv, which command registration must not pay for.
 */
import {
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from '../../core/config/load-config.js';
import type { CliContext, GlobalOptions } from '../context.js';

/** loadConfig with the global options; applies the log level and logs the warnings. */
export async function loadCommandConfig(
  ctx: CliContext,
  globals: GlobalOptions,
  flags: Pick<LoadConfigOptions, 'overrides' | 'flagNames'> = {},
): Promise<LoadedConfig> {
  const loaded = await loadConfig({
    ...flags,
    ...(globals.dataDir !== undefined ? { dataDir: globals.dataDir } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
  });
  ctx.logger.setLevel(loaded.config.NOVA_LOG_LEVEL);
  for (const warning of loaded.warnings) ctx.logger.warn(warning);
  return loaded;
}
