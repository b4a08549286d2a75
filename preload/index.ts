/**
 * The preload (sandboxed, context-isolated): exposes `window.nova` with one
 * named function per contract method and an event subscription — never
 * ipcRenderer itself, never a generic send. Each function can only reach
 * its own fixed channel; main validates every payload and checks the sender.
 * Bundled to CommonJS (dist/preload/preload.cjs): a sandboxed preload cannot
 * load ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_KEY, splitMethod, type NovaBridge } from '../shared-contract/bridge.js';
import type { NovaEvent } from '../shared-contract/events.js';
import { EVENT_CHANNEL, ipcChannel, METHOD_NAMES } from '../shared-contract/method-names.js';

const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
for (const method of METHOD_NAMES) {
  const [ns, name] = splitMethod(method);
  const channel = ipcChannel(method);
  api[ns] ??= {};
  api[ns][name] = (input?: unknown) => ipcRenderer.invoke(channel, input);
}

const bridge: NovaBridge = {
  api: api as unknown as NovaBridge['api'],
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: NovaEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
