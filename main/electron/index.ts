/**
 * Electron entry (package.json "main"). Everything lives in desktop-app.ts;
 * this file reads the command line and first makes sure the SQLite engine
 * loads in this Electron: when it does not (compiled for Node.js, missing,
 * wrong platform), the app shows one dialog with the cause and the fix and
 * exits, instead of starting a runtime that would crash.
 */
import { app, dialog } from 'electron';
import { usePrivateFileModes } from '../core/config/private-files.js';
import { checkSqliteEngine } from '../core/sqlite-engine-check.js';
import { APP_ID } from './app-identity.js';
import { parseDesktopArgs } from './desktop-options.js';
import { runDesktopApp } from './desktop-app.js';
import { startupFailureText } from './startup-failure.js';

// Every file the app writes (data dir, snapshots, backups) is private to this user.
usePrivateFileModes();
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const problem = checkSqliteEngine(app.isPackaged ? 'electron-packaged' : 'electron-dev');
if (problem) {
  const text = startupFailureText(problem);
  process.stderr.write(text.stderr);
  // On Linux a dialog before `ready` only reaches stderr.
  void app.whenReady().then(() => {
    dialog.showErrorBox(text.title, text.body);
    app.exit(1);
  });
} else {
  runDesktopApp(parseDesktopArgs(process.argv.slice(1)));
}
