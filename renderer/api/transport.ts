/**
 * How the renderer reaches main: IPC through the preload bridge (desktop) or
 * HTTP + WebSocket (headless). Both speak the one contract; the UI only ever
 * sees the NovaApi built on top (client.ts).
 */
import type { CallResult } from '../../shared-contract/errors.js';
import type { NovaEvent } from '../../shared-contract/events.js';
import type { MethodName } from '../../shared-contract/method-names.js';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  call(method: MethodName, input: unknown): Promise<CallResult<unknown>>;
  /** Pushed events; returns the unsubscribe function. */
  subscribe(listener: (event: NovaEvent) => void): () => void;
  /** Connection state of the event stream, for the "reconnecting…" hint. */
  onConnectionChange?(listener: (connected: boolean) => void): void;
}
