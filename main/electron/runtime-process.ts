/**
 * The Electron side of the runtime process (main/core/app/runtime-host.ts):
 * starts it as a utility process, sends it validated calls, relays its
 * events, and carries out the shutdown phase — quit waits until the host
 * says its services are stopped and its tasks checkpointed.
 */
import { EventEmitter } from 'node:events';
import { utilityProcess, type UtilityProcess } from 'electron';
import type { CallResult, MethodName, NovaEvent } from '../../shared-contract/index.js';
import type { AssetLocations } from '../core/asset-locations.js';
import type { ErrorData } from '../core/errors.js';
import type { HostMessage, HostRequest } from '../core/app/runtime-host.js';

export interface RuntimeProcessOptions {
  entry: string;
  dataDir?: string;
  /** Where the install keeps files the runtime reads (the packaged app's compose files). */
  assets?: AssetLocations;
  /** How long quit waits for the services to stop before killing the host. */
  shutdownTimeoutMs?: number;
}

interface RuntimeProcessEvents {
  event: [NovaEvent];
  exit: [number];
}

export class RuntimeProcess extends EventEmitter<RuntimeProcessEvents> {
  private readonly child: UtilityProcess;
  private readonly pending = new Map<number, (result: CallResult<unknown>) => void>();
  private nextId = 1;
  private exited = false;
  private stopping: Promise<ErrorData | undefined> | undefined;
  readonly ready: Promise<void>;

  constructor(private readonly options: RuntimeProcessOptions) {
    super();
    this.child = utilityProcess.fork(
      options.entry,
      [
        JSON.stringify({
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          ...(options.assets ? { assets: options.assets } : {}),
        }),
      ],
      {
        serviceName: 'Nova data services',
        stdio: 'inherit',
      },
    );
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: HostMessage) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'start-failed')
          reject(Object.assign(new Error(message.error.message), message.error));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code) =>
        reject(new Error(`The data-services process exited during start-up (code ${code}).`)),
      );
    });
    this.child.on('message', (message: HostMessage) => this.onMessage(message));
    this.child.on('exit', (code) => {
      this.exited = true;
      // Calls still waiting get an answer instead of hanging the UI.
      for (const resolve of this.pending.values()) {
        resolve({
          ok: false,
          error: {
            name: 'NovaError',
            code: 'SERVICE_UNAVAILABLE',
            message: 'The data-services process stopped.',
            fix: 'Restart Nova DB.',
          },
        });
      }
      this.pending.clear();
      this.emit('exit', code);
    });
  }

  call(method: MethodName, input: unknown): Promise<CallResult<unknown>> {
    if (this.exited || this.stopping) {
      return Promise.resolve({
        ok: false,
        error: {
          name: 'NovaError',
          code: 'SERVICE_UNAVAILABLE',
          message: 'Nova is shutting down.',
          fix: 'Start it again.',
        },
      });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'call', id, method, input });
    });
  }

  /** Asks the host to stop its services and tasks; resolves when it did (or was killed after the timeout). */
  shutdown(): Promise<ErrorData | undefined> {
    this.stopping ??= new Promise((resolve) => {
      if (this.exited) return resolve(undefined);
      const timer = setTimeout(() => {
        this.child.kill();
        resolve({
          name: 'NovaError',
          code: 'TIMEOUT',
          message: 'The data services did not stop in time and were killed.',
        });
      }, this.options.shutdownTimeoutMs ?? 60_000);
      this.child.on('message', (message: HostMessage) => {
        if (message.type !== 'stopped') return;
        clearTimeout(timer);
        resolve(message.error);
      });
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      this.send({ type: 'shutdown' });
    });
    return this.stopping;
  }

  private send(request: HostRequest): void {
    this.child.postMessage(request);
  }

  private onMessage(message: HostMessage): void {
    if (message.type === 'result') {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    } else if (message.type === 'event') {
      this.emit('event', message.event);
    }
  }
}
