/** Desktop: the preload's named functions on window.nova. */
import { BRIDGE_KEY, splitMethod, type NovaBridge } from '../../shared-contract/bridge.js';
import type { Transport } from './transport.js';

export function bridgeFromWindow(): NovaBridge | null {
  const candidate = (window as unknown as Record<string, unknown>)[BRIDGE_KEY];
  return candidate && typeof candidate === 'object' ? (candidate as NovaBridge) : null;
}

export function ipcTransport(bridge: NovaBridge): Transport {
  return {
    kind: 'ipc',
    call: (method, input) => {
      const [ns, name] = splitMethod(method);
      const group = bridge.api[ns] as Record<
        string,
        (input?: unknown) => ReturnType<Transport['call']>
      >;
      return group[name]!(input);
    },
    subscribe: (listener) => bridge.onEvent(listener),
  };
}
