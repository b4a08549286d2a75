/**
 * What a command needs from the outside world, gathered in one object so the
 * same commands run from the bin, from `npm start` in-process, or from a
 * test with captured output.
 */
import type { Logger } from '../core/logger.js';

export interface CliIo {
  /** Machine-readable results (`--json`) and command output. */
  stdout: (text: string) => void;
  /** Logs and human messages; never parsed by scripts. */
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Starts listening for a stop request (SIGINT/SIGTERM) now, so a signal
   * during start-up is not lost. `stopped` resolves with the signal name;
   * `dispose()` stops listening (on failure paths).
   */
  onShutdown: () => ShutdownListener;
}

export interface ShutdownListener {
  stopped: Promise<string>;
  dispose(): void;
}

/** Options every command accepts (docs/ARCHITECTURE.md#stable-interfaces). */
export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

export interface CliContext extends CliIo {
  logger: Logger;
}

/**
 * Resolves on the first SIGINT or SIGTERM and then removes its listeners,
 * so a second Ctrl-C during a slow shutdown falls back to Node's default
 * (immediate exit) — the escape hatch a person expects.
 */
export function listenForProcessSignals(
  signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): ShutdownListener {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = () => {
    for (const s of signals) process.off(s, onSignal);
  };
  const stopped = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  for (const s of signals) process.on(s, onSignal);
  return { stopped, dispose };
}
