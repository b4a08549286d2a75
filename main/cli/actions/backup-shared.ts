/** What the backup commands (`backup`, `backups`, `verify`, `restore`) share once parsed. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NovaConfig } from '../../core/config/schema.js';
import {
  backupTargetsFromConfig,
  resolveBackupDir,
  type BackupTargets,
} from '../../core/backup/backup-targets.js';
import { obtainPassphrase, terminalPrompt } from '../../core/backup/passphrase.js';
import { TaskRegistry, type TaskBody, type TaskSnapshot } from '../../core/tasks/task.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { loadCommandConfig } from './command-config.js';

export interface BackupCliSetup {
  config: NovaConfig;
  backupDir: string;
  targets: BackupTargets;
}

/** Loads the configuration and what the backup commands derive from it. */
export async function loadBackupSetup(
  ctx: CliContext,
  globals: GlobalOptions,
  needTargets = true,
): Promise<BackupCliSetup> {
  const { config } = await loadCommandConfig(ctx, globals);
  return {
    config,
    backupDir: resolveBackupDir(config),
    targets: needTargets ? backupTargetsFromConfig(config) : {},
  };
}

/** PATH as given, or the name of a backup inside the backup folder (as `nova-db backups` prints it). */
export function resolveBackupPath(arg: string, cwd: string, backupDir: string): string {
  const direct = path.resolve(cwd, arg);
  if (existsSync(direct)) return direct;
  const named = path.join(backupDir, arg);
  return !arg.includes('/') && !arg.includes('\\') && existsSync(named) ? named : direct;
}

export function passphraseFor(ctx: CliContext, confirm: boolean): Promise<string | undefined> {
  const prompt = terminalPrompt();
  return obtainPassphrase({ env: ctx.env, ...(prompt ? { prompt } : {}) }, confirm);
}

/**
 * Runs long work as a Task: phase changes are logged on stderr, and Ctrl-C
 * (SIGINT/SIGTERM) cancels it cleanly instead of killing it half-way.
 */
export async function runCliTask<R>(
  ctx: CliContext,
  kind: string,
  title: string,
  body: TaskBody<R>,
): Promise<R> {
  const registry = new TaskRegistry();
  const shutdown = ctx.onShutdown();
  try {
    const task = registry.run(kind, title, body);
    let lastPhase = '';
    task.on('progress', (s: TaskSnapshot<R>) => {
      const label = s.progress.item ? `${s.progress.phase}: ${s.progress.item}` : s.progress.phase;
      if (label === lastPhase) return;
      lastPhase = label;
      ctx.logger.info(`${title}: ${label}`);
    });
    void shutdown.stopped.then((signal) => {
      ctx.logger.warn(`received ${signal}, cancelling the ${kind}`);
      task.cancel();
    });
    return await task.start();
  } finally {
    shutdown.dispose();
  }
}
