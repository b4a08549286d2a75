// `npm start`: the desktop app when an Electron binary can run here,
// otherwise the same program headless (`nova-db serve`), in this process.
// Arguments after `--` are passed through: `npm start -- --port 4800`.
import { spawn } from 'node:child_process';
import { setTimeout } from 'node:timers';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);
const electronEntry = new URL('dist/main/electron/index.js', root);
const args = process.argv.slice(2);
const forceHeadless = args.includes('--headless');
const passThrough = args.filter((a) => a !== '--headless');

const why = forceHeadless ? 'headless requested' : electronUnavailable();
if (why === null) {
  runElectron(require('electron'));
} else {
  process.stderr.write(
    `nova-db: running headless (${why}); serving the admin UI and API over HTTP.\n`,
  );
  const { runCli } = await import(new URL('dist/main/cli/run.js', root).href);
  const code = await runCli(['serve', ...passThrough]);
  process.exitCode = code;
  // As in the bin: a stray handle must not turn a clean stop into a hang.
  setTimeout(() => process.exit(code), 2_000).unref();
}

/** Null when Electron can start here, else the reason it cannot. */
function electronUnavailable() {
  let binary;
  try {
    // In plain Node the electron package exports the binary's path, and
    // throws when the binary was never downloaded (offline installs).
    binary = require('electron');
  } catch {
    return 'the Electron binary is not installed';
  }
  try {
    if (typeof binary !== 'string') return 'the electron package did not give a binary path';
    accessSync(binary, constants.X_OK);
  } catch {
    return `the Electron binary ${binary} is missing or not executable`;
  }
  if (!existsSync(electronEntry))
    return 'the desktop entry dist/main/electron/index.js is not built';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no graphical display (DISPLAY/WAYLAND_DISPLAY unset)';
  }
  return null;
}

function runElectron(binary) {
  const child = spawn(binary, [fileURLToPath(electronEntry), ...passThrough], { stdio: 'inherit' });
  // Ctrl-C reaches the whole process group; forward SIGTERM from a service manager.
  const forward = (signal) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', () => undefined);
  child.on('error', (err) => {
    process.stderr.write(`nova-db: could not start Electron: ${err.message}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    process.off('SIGTERM', forward);
    process.exitCode = code ?? (signal ? 1 : 0);
    process.exit();
  });
}
