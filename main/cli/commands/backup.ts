/**
 * `nova-db backup [--out DIR] [--encrypt]` (SPEC §11): back up every
 * configured database into one folder with a manifest. The passphrase for
 * --encrypt comes from NOVA_BACKUP_PASSPHRASE or a hidden prompt — never
 * from an argument. Also the helpers the other backup commands share.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { NovaError } from '../../core/errors.js';
import { loadConfig } from '../../core/config/load-config.js';
import type { NovaConfig } from '../../core/config/schema.js';
import {
  backupTargetsFromConfig,
  resolveBackupDir,
  type BackupTargets,
} from '../../core/backup/backup-targets.js';
import { PASSPHRASE_ENV, obtainPassphrase, terminalPrompt } from '../../core/backup/passphrase.js';
import { createBackup, type BackupSummary } from '../../core/backup/run-backup.js';
import { TaskRegistry, type TaskBody, type TaskSnapshot } from '../../core/tasks/task.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

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
  const { config, warnings } = await loadConfig({
    ...(globals.dataDir !== undefined ? { dataDir: globals.dataDir } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
  });
  ctx.logger.setLevel(config.NOVA_LOG_LEVEL);
  for (const warning of warnings) ctx.logger.warn(warning);
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

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

interface BackupOptions {
  out?: string;
  encrypt?: boolean;
}

export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description(
      'back up every configured database into one folder with a manifest (sha256 of every part)',
    )
    .option(
      '--out <dir>',
      'folder to write the backup into (default: NOVA_BACKUP_DIR, else <data dir>/backups)',
    )
    .option('--encrypt', `encrypt with AES-256-GCM; passphrase from ${PASSPHRASE_ENV} or a prompt`)
    .action(async (options: BackupOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & BackupOptions>();
      const setup = await loadBackupSetup(ctx, globals);
      const backupDir =
        options.out !== undefined ? path.resolve(ctx.cwd, options.out) : setup.backupDir;
      let passphrase: string | undefined;
      if (options.encrypt) {
        passphrase = await passphraseFor(ctx, true);
        if (passphrase === undefined) {
          throw new NovaError(
            'BACKUP_PASSPHRASE',
            '--encrypt needs a passphrase, and none was given.',
            {
              fix: `Set ${PASSPHRASE_ENV} in the environment (not on the command line), or run on a terminal to be asked for it.`,
            },
          );
        }
      }
      const summary = await runCliTask(ctx, 'backup', 'Backup', (taskCtx) =>
        createBackup(
          {
            backupDir,
            targets: setup.targets,
            ...(passphrase !== undefined ? { passphrase } : {}),
          },
          taskCtx,
        ),
      );
      if (globals.json === true) printJson(ctx, summary);
      else ctx.stdout(describeSummary(summary));
    });
}

function describeSummary(s: BackupSummary): string {
  const lines = [
    `Backup ${s.name} written to ${s.path} (${formatBytes(s.bytes)}${s.encrypted ? ', encrypted' : ''}).`,
  ];
  for (const p of s.parts) {
    lines.push(
      `  ${p.name}: ${p.tables} tables/collections, ${p.rows} rows, ${formatBytes(p.bytes)}`,
    );
    for (const note of p.notes) lines.push(`    note: ${note}`);
  }
  if (s.cleanedPartials.length > 0)
    lines.push(
      `Removed ${s.cleanedPartials.length} interrupted backup folder(s): ${s.cleanedPartials.join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}
