/**
 * Start at login (docs/ARCHITECTURE.md#packaging). macOS and Windows have it built in
 * (app.setLoginItemSettings); on Linux it is an XDG autostart entry,
 * `~/.config/autostart/nova-db.desktop`, which every desktop honours.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { app } from 'electron';

function desktopFile(): string {
  const config = process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(config, 'autostart', 'nova-db.desktop');
}

/** `extraArgs`: the arguments setAutoStart was given; Windows matches its entry by them. */
export async function getAutoStart(
  extraArgs: string[] = [],
): Promise<{ enabled: boolean; supported: boolean }> {
  if (process.platform === 'linux') {
    const enabled = await stat(desktopFile()).then(
      () => true,
      () => false,
    );
    return { enabled, supported: true };
  }
  return { enabled: app.getLoginItemSettings({ args: extraArgs }).openAtLogin, supported: true };
}

export async function setAutoStart(
  enabled: boolean,
  extraArgs: string[] = [],
): Promise<{ enabled: boolean }> {
  if (process.platform === 'linux') {
    const file = desktopFile();
    if (!enabled) {
      await rm(file, { force: true });
      return { enabled: false };
    }
    // The AppImage sets APPIMAGE to its own path; the executable path would point into its temporary mount.
    const exec = [
      process.env.APPIMAGE || process.execPath,
      ...(app.isPackaged ? [] : [app.getAppPath()]),
      ...extraArgs,
    ]
      .map((a) => (/[\s"]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a))
      .join(' ');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      `[Desktop Entry]\nType=Application\nName=Nova DB\nExec=${exec}\nX-GNOME-Autostart-enabled=true\n`,
      { mode: 0o644 },
    );
    return { enabled: true };
  }
  app.setLoginItemSettings({ openAtLogin: enabled, args: extraArgs });
  return { enabled: app.getLoginItemSettings({ args: extraArgs }).openAtLogin };
}
