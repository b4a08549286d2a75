/**
 * Headless: `POST /api/<method>` with the admin token as a bearer header,
 * and events over a WebSocket that reconnects with backoff. The token comes
 * from the login link's fragment and lives in sessionStorage (this tab
 * only, gone when it closes); a 401 sends the UI back to the login screen.
 */
import type { ContractErrorData } from '../../shared-contract/errors.js';
import type { NovaEvent } from '../../shared-contract/events.js';
import {
  apiPath,
  EVENTS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
} from '../../shared-contract/method-names.js';
import type { Transport } from './transport.js';

const TOKEN_KEY = 'nova.adminToken';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * Moves a `#token=…` fragment (the login link) into sessionStorage and
 * removes it from the address bar and history at once.
 */
export function takeTokenFromFragment(): boolean {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return false;
  tokenStore.set(decodeURIComponent(match[1]!));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return true;
}

export interface HttpTransport extends Transport {
  /** Reopens the event stream with the token stored now (after a login or a rotation). */
  reconnect(): void;
}

export function httpTransport(onUnauthorized: () => void): HttpTransport {
  const listeners = new Set<(event: NovaEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let socket: WebSocket | null = null;
  let retry = 0;
  let retryTimer: number | undefined;

  const setConnected = (value: boolean) => {
    for (const l of connectionListeners) l(value);
  };

  const connect = () => {
    const token = tokenStore.get();
    if (!token || listeners.size === 0) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${EVENTS_PATH}`;
    const ws = new WebSocket(url, [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`]);
    socket = ws;
    ws.addEventListener('open', () => {
      retry = 0;
      setConnected(true);
    });
    ws.addEventListener('message', (message) => {
      let event: NovaEvent;
      try {
        event = JSON.parse(String(message.data)) as NovaEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    });
    ws.addEventListener('close', (close) => {
      if (socket !== ws) return;
      socket = null;
      setConnected(false);
      if (close.code === 4401) {
        onUnauthorized();
        return;
      }
      // Back off up to 10 s: the server may be restarting.
      retry = Math.min(retry + 1, 5);
      retryTimer = window.setTimeout(connect, Math.min(10_000, 500 * 2 ** retry));
    });
  };

  return {
    kind: 'http',
    async call(method, input) {
      const token = tokenStore.get();
      let response: Response;
      try {
        response = await fetch(apiPath(method), {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(input ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch {
        // The server is gone (stopped, restarting, network): every status on screen greys out.
        setConnected(false);
        return {
          ok: false,
          error: {
            name: 'Error',
            code: 'NETWORK',
            message: 'Nova is not answering.',
            fix: 'Check that Nova is running; this page reconnects by itself.',
          },
        };
      }
      if (response.status === 401) onUnauthorized();
      let body: { result?: unknown; error?: ContractErrorData };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        return {
          ok: false,
          error: {
            name: 'Error',
            code: 'NETWORK',
            message: `The server answered ${response.status} without a readable body.`,
          },
        };
      }
      if (response.ok) return { ok: true, value: body.result };
      return {
        ok: false,
        error: body.error ?? { name: 'Error', code: 'NETWORK', message: `HTTP ${response.status}` },
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          window.clearTimeout(retryTimer);
          socket?.close();
          socket = null;
        }
      };
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
    },
    reconnect() {
      window.clearTimeout(retryTimer);
      const old = socket;
      socket = null; // so its close event does not schedule a retry of its own
      old?.close();
      retry = 0;
      connect();
    },
  };
}
