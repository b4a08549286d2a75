/**
 * Entry point: picks the transport (the preload bridge in the desktop app,
 * HTTP + WebSocket in headless mode) and mounts the shell. The rest of the
 * UI only sees the typed NovaApi and cannot tell the two apart.
 */
import { createApi } from './api/client.js';
import {
  httpTransport,
  takeTokenFromFragment,
  tokenStore,
  type HttpTransport,
} from './api/http-transport.js';
import { bridgeFromWindow, ipcTransport } from './api/ipc-transport.js';
import type { Transport } from './api/transport.js';
import { mountShell, showConnection } from './app-shell.js';
import { errorNotice } from './components/notice.js';
import type { AppContext } from './context.js';
import { replace } from './lib/dom.js';
import { SCREENS } from './routes.js';
import { loginScreen } from './screens/login.js';

const root = document.getElementById('app')!;

// Skip link without touching the hash (the router owns it).
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  document.querySelector<HTMLElement>('main h1, main')?.focus();
});

async function start(transport: Transport, http?: HttpTransport): Promise<void> {
  const api = createApi(transport);
  let info: AppContext['info'];
  try {
    info = await api.app.info();
  } catch (err) {
    // A 401 already switched to the login screen.
    if (http && !tokenStore.get()) return;
    replace(
      root,
      errorNotice(err, () => void start(transport, http)),
    );
    return;
  }
  const base: Omit<AppContext, 'navigate' | 'announce' | 'status'> = {
    api,
    info,
    onEvent: (listener) => transport.subscribe(listener),
    refreshInfo: async () => {
      base.info = await api.app.info();
    },
    ...(http
      ? {
          replaceToken: (token: string) => {
            tokenStore.set(token);
            http.reconnect();
          },
        }
      : {}),
  };
  const ctx = mountShell(root, base, SCREENS);
  transport.onConnectionChange?.((connected) => showConnection(ctx, connected));
}

const bridge = bridgeFromWindow();
if (bridge) {
  void start(ipcTransport(bridge));
} else {
  takeTokenFromFragment();
  let loggedOut = false;
  const http = httpTransport(() => {
    if (loggedOut) return;
    loggedOut = true;
    tokenStore.clear();
    loginScreen(root, 'expired', () => location.reload());
  });
  if (tokenStore.get()) void start(http, http);
  else loginScreen(root, 'missing', () => location.reload());
}
