/**
 * Runs the AppRuntime in its own process and speaks a small message
 * protocol with whoever started it. The desktop app starts it as an Electron
 * utility process, so every synchronous SQLite read (better-sqlite3), every
 * dry-run batch and every health check happens off the Electron main thread:
 * the tray and the window never freeze (docs/ARCHITECTURE.md#off-the-ui-thread).
 *
 * Nothing here imports Electron: the port is anything with postMessage and
 * a message listener (Electron's process.parentPort, or Node's process.send
 * for tests and plain Node).
 */
import type { CallResult, NovaEvent } from '../../../shared-contract/index.js';
import { toErrorData, type ErrorData } from '../errors.js';
import type { Logger } from '../logger.js';
import { AppRuntime, type AppRuntimeOptions } from './app-runtime.js';
import { dispatch } from './dispatch.js';
import { createHandlers } from './handlers/index.js';

/** Parent → host. */
export type HostRequest =
  { type: 'call'; id: number; method: string; input: unknown } | { type: 'shutdown' };

/** Host → parent. */
export type HostMessage =
  | { type: 'ready' }
  | { type: 'start-failed'; error: ErrorData }
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: NovaEvent }
  | { type: 'stopped'; error?: ErrorData };

export interface HostPort {
  postMessage(message: HostMessage): void;
  onMessage(listener: (message: HostRequest) => void): void;
}

/** Starts the runtime and serves requests until a `shutdown` request has been carried out. */
export async function runRuntimeHost(
  port: HostPort,
  options: Omit<AppRuntimeOptions, 'mode'>,
  logger: Logger,
): Promise<void> {
  let runtime: AppRuntime;
  try {
    runtime = await AppRuntime.start({ ...options, mode: 'desktop' });
  } catch (err) {
    port.postMessage({ type: 'start-failed', error: toErrorData(err) });
    return;
  }
  const handlers = createHandlers(runtime);
  runtime.on('event', (event) => port.postMessage({ type: 'event', event }));

  await new Promise<void>((resolve) => {
    port.onMessage((message) => {
      if (message.type === 'call') {
        void dispatch(handlers, message.method, message.input, { transport: 'ipc' }, logger).then(
          (result) => port.postMessage({ type: 'result', id: message.id, result }),
        );
        return;
      }
      if (message.type === 'shutdown') {
        runtime.shutdown().then(
          () => {
            port.postMessage({ type: 'stopped' });
            resolve();
          },
          (err: unknown) => {
            port.postMessage({ type: 'stopped', error: toErrorData(err) });
            resolve();
          },
        );
      }
    });
    port.postMessage({ type: 'ready' });
  });
}
