/**
 * `nova-db service install|uninstall`: writes or removes the systemd unit
 * that runs `nova-db serve` as a hardened service (the template is
 * resources/nova-db.service). Install points ExecStart at the nova-db that
 * runs it — the single binary, or Node.js and this package's bin — and
 * marks the file as written by nova-db, so uninstall (and a re-install)
 * never touch a unit someone else wrote. It does not call systemctl: it says
 * which commands to run, so it behaves the same with `--target-dir` in a
 * test, in a image build, or on a live system.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSea } from 'node:sea';
import { assetLocation } from '../../core/asset-locations.js';
import { NovaError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-version.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

export const UNIT_NAME = 'nova-db.service';
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
/** First line of every unit nova-db writes; uninstall removes only files that start with it. */
export const UNIT_MARKER =
  '# Written by `nova-db service install`; `nova-db service uninstall` removes it.';

export interface ServiceOptions {
  targetDir?: string;
  binary?: string;
  dryRun?: boolean;
  force?: boolean;
}

/** The command line the service runs, before `serve`: this binary, or node + this package's bin. */
export function defaultExecCommand(): string[] {
  if (isSea()) return [process.execPath];
  const root = packageRoot();
  if (!root) throw new NovaError('INTERNAL', 'nova-db cannot tell where it is installed.');
  return [process.execPath, path.join(root, 'bin', 'nova-db.js')];
}

/**
 * One ExecStart word, quoted for systemd when needed, with `%` (specifiers)
 * escaped; `$` too in arguments, where systemd expands variables — not in
 * the program path, which it takes as it is.
 */
export function systemdWord(word: string, isProgram = false): string {
  const specifiersEscaped = word.replace(/%/g, '%%');
  const escaped = isProgram ? specifiersEscaped : specifiersEscaped.replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(escaped) ? `"${escaped.replace(/(["\\])/g, '\\$1')}"` : escaped;
}

/** The template with the marker on top and ExecStart running `command serve`. */
export function renderServiceUnit(template: string, command: string[]): string {
  if (!/^ExecStart=.*$/m.test(template))
    throw new NovaError('INTERNAL', 'The systemd unit template has no ExecStart line.', {
      fix: 'Reinstall nova-db; its nova-db.service template is damaged.',
    });
  const words = [...command, 'serve'].map((word, i) => systemdWord(word, i === 0));
  const execStart = `ExecStart=${words.join(' ')}`;
  return `${UNIT_MARKER}\n${template.replace(/^ExecStart=.*$/m, () => execStart)}`;
}

function readTemplate(): string {
  const root = packageRoot();
  const file =
    assetLocation('serviceUnit') ?? (root ? path.join(root, 'resources', UNIT_NAME) : undefined);
  if (!file || !existsSync(file)) {
    throw new NovaError('INTERNAL', `The systemd unit template ${UNIT_NAME} is missing.`, {
      fix: 'Reinstall nova-db; the installation is missing resources/nova-db.service.',
    });
  }
  return readFileSync(file, 'utf8');
}

function execCommand(options: ServiceOptions): string[] {
  if (options.binary === undefined) return defaultExecCommand();
  if (!path.isAbsolute(options.binary) || !existsSync(options.binary)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `--binary ${options.binary} is not an absolute path to an existing file.`,
      {
        fix: 'Pass the absolute path of the nova-db binary the service should run, e.g. --binary /usr/local/bin/nova-db.',
      },
    );
  }
  return [realpathSync(options.binary)];
}

function fileError(err: unknown, action: string, file: string): NovaError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new NovaError('PERMISSION_DENIED', `Cannot ${action} ${file} (${code}).`, {
      fix: 'Run it as root (sudo nova-db service …), or pass --target-dir with a folder you can write.',
      cause: err,
    });
  }
  if (code === 'ENOENT') {
    return new NovaError(
      'INVALID_ARGUMENT',
      `Cannot ${action} ${file}: its folder does not exist.`,
      {
        fix: 'Pass --target-dir with an existing folder (systemd reads /etc/systemd/system).',
        cause: err,
      },
    );
  }
  return new NovaError('INTERNAL', `Cannot ${action} ${file} (${code}).`, { cause: err });
}

/** Like existsSync, but true for a symbolic link whose target is gone. */
function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function readExisting(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(err, 'read', file);
  }
}

export async function serviceInstall(
  ctx: CliContext,
  globals: GlobalOptions,
  options: ServiceOptions,
): Promise<void> {
  const command = execCommand(options);
  const unit = renderServiceUnit(readTemplate(), command);
  const file = path.join(path.resolve(options.targetDir ?? DEFAULT_UNIT_DIR), UNIT_NAME);
  if (options.dryRun === true) {
    if (globals.json === true) printJson(ctx, { unit: file, action: 'none', content: unit });
    else ctx.stdout(unit);
    return;
  }
  const existing = readExisting(file);
  if (existing !== undefined && !existing.startsWith(UNIT_MARKER) && options.force !== true) {
    throw new NovaError(
      'CONFIRMATION_REQUIRED',
      `${file} exists and was not written by nova-db; leaving it as it is.`,
      { fix: 'Pass --force to replace it, or remove it yourself first.' },
    );
  }
  if (command.some((part) => /^\/(home|root)(\/|$)/.test(part))) {
    ctx.logger.warn(
      'the service cannot read files under /home or /root (ProtectHome=yes); put nova-db under /usr/local/bin or /opt',
      { execStart: command.join(' ') },
    );
  }
  try {
    writeFileSync(file, unit, { mode: 0o644 });
  } catch (err) {
    throw fileError(err, 'write', file);
  }
  if (globals.json === true) {
    printJson(ctx, { unit: file, action: existing === undefined ? 'written' : 'replaced' });
    return;
  }
  ctx.stderr(
    `Wrote ${file}.\nStart it now and at every boot:\n  systemctl daemon-reload && systemctl enable --now nova-db\n` +
      'The first start prints the admin UI login link: journalctl -u nova-db\n',
  );
}

export async function serviceUninstall(
  ctx: CliContext,
  globals: GlobalOptions,
  options: ServiceOptions,
): Promise<void> {
  const file = path.join(path.resolve(options.targetDir ?? DEFAULT_UNIT_DIR), UNIT_NAME);
  const existing = readExisting(file);
  if (existing === undefined) {
    if (globals.json === true) printJson(ctx, { unit: file, action: 'none' });
    else ctx.stderr(`Nothing to remove: ${file} does not exist.\n`);
    return;
  }
  if (!existing.startsWith(UNIT_MARKER)) {
    throw new NovaError(
      'CONFIRMATION_REQUIRED',
      `${file} was not written by nova-db; leaving it as it is.`,
      { fix: 'Remove it yourself if it is no longer wanted.' },
    );
  }
  // systemctl disable reads the unit's [Install] section: it must run while the file exists.
  const enabledLink = path.join(path.dirname(file), 'multi-user.target.wants', UNIT_NAME);
  if (pathExists(enabledLink)) {
    throw new NovaError(
      'CONFIRMATION_REQUIRED',
      `nova-db.service is still enabled (${enabledLink} exists); removing the unit now would leave it half-installed.`,
      { fix: 'Run systemctl disable --now nova-db first, then nova-db service uninstall again.' },
    );
  }
  if (options.dryRun !== true) {
    try {
      rmSync(file);
    } catch (err) {
      throw fileError(err, 'remove', file);
    }
  }
  if (globals.json === true) {
    printJson(ctx, { unit: file, action: options.dryRun === true ? 'none' : 'removed' });
    return;
  }
  ctx.stderr(
    options.dryRun === true
      ? `Would remove ${file}.\n`
      : `Removed ${file}. Tell systemd: systemctl daemon-reload\n` +
          'The data stays in /var/lib/private/nova-db (the service ran with DynamicUser=yes); delete it yourself when no longer needed.\n',
  );
}
