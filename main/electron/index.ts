/**
 * Electron entry (package.json "main"). Everything lives in desktop-app.ts;
 * this file only reads the command line.
 */
import { parseDesktopArgs } from './desktop-options.js';
import { runDesktopApp } from './desktop-app.js';

runDesktopApp(parseDesktopArgs(process.argv.slice(1)));
