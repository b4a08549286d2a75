/**
 * What the preload exposes on `window.nova` (desktop): one named function
 * per contract method, grouped by namespace, each resolving to a CallResult
 * (errors as data: an Error thrown across contextBridge would lose its code),
 * plus a subscription to pushed events. Nothing else — no ipcRenderer, no
 * generic send.
 */
import type { CallResult } from './errors.js';
import type { NovaEvent } from './events.js';
import type { MethodName } from './method-names.js';
import type { MethodOutput, Namespace } from './contract.js';

export const BRIDGE_KEY = 'nova';

export type BridgeApi = {
  [N in Namespace]: {
    [M in MethodName as M extends `${N}.${infer K}` ? K : never]: (
      input?: unknown,
    ) => Promise<CallResult<MethodOutput<M>>>;
  };
};

export interface NovaBridge {
  api: BridgeApi;
  /** Calls `listener` for every event main pushes; returns the unsubscribe function. */
  onEvent(listener: (event: NovaEvent) => void): () => void;
}

/** Splits `migration.inspect` into its namespace and function name. */
export function splitMethod(method: MethodName): [Namespace, string] {
  const dot = method.indexOf('.');
  return [method.slice(0, dot) as Namespace, method.slice(dot + 1)];
}
