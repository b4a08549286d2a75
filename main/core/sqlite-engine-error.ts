/**
 * Why the SQLite engine (better-sqlite3's compiled module) could not be
 * loaded, in words a person can act on. A compiled module only loads into
 * the runtime it was built for: `npm install` builds it for Node.js, the
 * desktop installers rebuild it for their Electron (whose ABI differs), and
 * the single binary carries its own. Getting that wrong used to end in a
 * stack trace; this turns the loader's error into one NovaError with the
 * cause and the fix for the way Nova is running. Pure: no import of the
 * module itself, so the CLI can classify any error it is about to print.
 */
import { isSea } from 'node:sea';
import { NovaError } from './errors.js';

/** How Nova is running, which decides the fix. */
export type EngineHost = 'node' | 'electron-dev' | 'electron-packaged' | 'single-binary';

type Cause = 'abi' | 'missing' | 'platform' | 'libc' | 'noexec' | 'other';

interface Diagnosis {
  cause: Cause;
  file: string | undefined;
  detail: string;
}

const ADDON = 'better_sqlite3.node';

/** The CLI's host: the single binary (a Node.js single executable) or Node.js running the package. */
export function cliEngineHost(): EngineHost {
  return isSea() ? 'single-binary' : 'node';
}

/**
 * The engine-loading failure in `err` (or in its `cause` chain) as a
 * NovaError, or undefined when `err` is about something else.
 */
export function sqliteEngineError(err: unknown, host: EngineHost): NovaError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof NovaError && e.code === 'NATIVE_MODULE_FAILED') return e;
    const diagnosis = diagnose(e);
    if (diagnosis) return engineError(diagnosis, host, e);
  }
  return undefined;
}

function diagnose(err: Error): Diagnosis | undefined {
  const message = err.message;
  const code = (err as NodeJS.ErrnoException).code;
  const quoted = /(?:The module|Cannot find module) '([^']+)'/.exec(message)?.[1];
  // bindings lists every place it looked; build/Release is where npm puts the module.
  const pathInMessage =
    /(\/[^\s:']+\/build\/Release\/[^\s:']+\.node)\b/.exec(message)?.[1] ??
    /(\/[^\s:']+\.node)\b/.exec(message)?.[1];
  const file = quoted ?? pathInMessage;
  const aboutAddon =
    code === 'ERR_DLOPEN_FAILED' ||
    message.includes(ADDON) ||
    message.includes('bindings file') ||
    (file?.endsWith('.node') ?? false);
  if (!aboutAddon) return undefined;

  const abi =
    /NODE_MODULE_VERSION (\d+)\.\s*This version of \S+ requires\s+NODE_MODULE_VERSION (\d+)/.exec(
      message,
    );
  if (abi)
    return {
      cause: 'abi',
      file,
      detail: `built for ABI ${abi[1]}, this runtime needs ABI ${abi[2]}`,
    };
  if (/Module did not self-register/.test(message))
    return { cause: 'abi', file, detail: 'the module did not register itself with this runtime' };
  if (
    /Could not locate the bindings file|No such file or directory|cannot open shared object file/.test(
      message,
    ) ||
    code === 'MODULE_NOT_FOUND'
  )
    return { cause: 'missing', file, detail: 'the file is not there' };
  const libc = /version [`']((?:GLIBC|GLIBCXX)_[\d.]+)' not found/.exec(message);
  if (libc) return { cause: 'libc', file, detail: `it needs ${libc[1]}, which this system lacks` };
  if (/failed to map segment from shared object|Operation not permitted/.test(message))
    return { cause: 'noexec', file, detail: 'the system refused to map it as code' };
  const platform =
    /invalid ELF header|wrong ELF class[^\s]*|ELF file OS ABI invalid|not a valid Win32 application|wrong architecture|incompatible architecture|file too short/.exec(
      message,
    );
  if (platform) return { cause: 'platform', file, detail: platform[0] };
  return { cause: 'other', file, detail: oneLine(message) };
}

function engineError(d: Diagnosis, host: EngineHost, cause: Error): NovaError {
  const engine = d.file ?? "better-sqlite3's compiled module";
  const what: Record<Cause, string> = {
    abi: `was compiled for a different runtime than ${runtimeName(host)}: ${d.detail}`,
    missing: 'is missing from this installation',
    platform: `was compiled for another operating system or processor (${d.detail})`,
    libc: `cannot load on this system: ${d.detail}`,
    noexec: `cannot be loaded from its folder: ${d.detail} (the file system is probably mounted noexec)`,
    other: `cannot be loaded: ${d.detail}`,
  };
  return new NovaError(
    'NATIVE_MODULE_FAILED',
    `Nova DB cannot start: its SQLite engine (${engine}) ${what[d.cause]}.`,
    { fix: fixFor(d.cause, host), cause },
  );
}

function fixFor(cause: Cause, host: EngineHost): string {
  if (host === 'single-binary') {
    if (cause === 'noexec')
      return 'Set NOVA_CACHE_DIR to a folder on a file system that allows running programs (not mounted noexec); nova-db unpacks its engine there.';
    if (cause === 'libc' || cause === 'platform')
      return 'Run the nova-db binary on 64-bit x86 Linux with at least the glibc its INSTALL.md names, or install Nova DB from source.';
    return 'Delete the nova-db folder in your cache directory (NOVA_CACHE_DIR, else ~/.cache/nova-db) and start again; if it fails again, download the nova-db binary again.';
  }
  if (host === 'electron-packaged') {
    if (cause === 'noexec')
      return 'Install Nova DB on a file system that allows running programs (not mounted noexec).';
    return 'Reinstall Nova DB with the installer for this operating system and processor; the installers ship the engine compiled for their own Electron, so this copy was damaged or built wrongly.';
  }
  if (host === 'electron-dev') {
    return 'In the Nova DB folder, compile the engine for Electron: npx @electron/rebuild -f -o better-sqlite3 (npm rebuild better-sqlite3 switches it back to Node.js for the tests), or run headless instead: npm start -- --headless.';
  }
  if (cause === 'noexec')
    return 'Move the Nova DB folder to a file system that allows running programs (not mounted noexec).';
  return `In the Nova DB folder, compile the engine for this Node.js (${process.version}): npm rebuild better-sqlite3 (needs g++, make and python3).`;
}

function runtimeName(host: EngineHost): string {
  if (host === 'single-binary') return `this nova-db binary (Node.js ${process.version})`;
  if (host === 'electron-dev' || host === 'electron-packaged')
    return `Electron ${process.versions.electron ?? ''}`.trim();
  return `Node.js ${process.version}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
