/**
 * Pushed events in headless mode: `GET /api/events` upgraded to a WebSocket
 * carries the same messages main sends over IPC (task progress, health,
 * service state). The upgrade is authenticated BEFORE the handshake — a
 * missing or wrong token gets a plain `401` and the socket is closed, so an
 * unauthenticated client never holds an open socket. Browsers cannot set
 * Authorization on a WebSocket, so the token may come as a subprotocol
 * `nova.token.<token>`; the server answers with `nova.v1` and never echoes
 * the token.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  EVENTS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
  type NovaEvent,
} from '../../../shared-contract/index.js';
import type { AuthThrottle } from './auth-throttle.js';
import {
  checkHost,
  checkOrigin,
  checkTokenThrottled,
  type RequestPolicy,
  type Verdict,
} from './request-security.js';

/** A client this far behind gets no more progress events until it catches up (task state still goes out). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EventSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  broadcast(event: NovaEvent): void;
  /** Closes at once every client that connected with a token other than the current one (after a rotation). */
  revokeStale(): void;
  /** Closes every client (server shutdown). */
  close(): void;
  readonly clientCount: number;
}

export function createEventSocketServer(
  policy: RequestPolicy,
  throttle: AuthThrottle,
): EventSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096, // clients only ever send pings
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const tokens = new WeakMap<WebSocket, string>();

  return {
    get clientCount() {
      return wss.clients.size;
    },
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const verdict: Verdict =
        url.pathname !== EVENTS_PATH
          ? {
              ok: false,
              status: 400,
              code: 'NOT_FOUND',
              message: 'No WebSocket here.',
              fix: `Connect to ${EVENTS_PATH}.`,
            }
          : firstRefusal(
              checkHost(req, policy),
              checkOrigin(req, policy),
              checkTokenThrottled(req, policy, throttle, EVENTS_PATH, WS_TOKEN_PROTOCOL_PREFIX),
            );
      if (!verdict.ok) {
        refuseUpgrade(socket, verdict);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        tokens.set(ws, policy.token());
        ws.on('error', () => ws.terminate());
        // Incoming messages are ignored: the socket is for pushing only.
      });
    },
    broadcast(event) {
      const payload = JSON.stringify(event);
      const current = policy.token();
      for (const ws of wss.clients) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        // A rotated token ends the sessions opened with the old one.
        if (tokens.get(ws) !== current) {
          ws.close(4401, 'admin token rotated');
          continue;
        }
        const droppable = event.type === 'task' && event.task.state === 'running';
        if (droppable && ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
        ws.send(payload);
      }
    },
    revokeStale() {
      const current = policy.token();
      for (const ws of wss.clients) {
        if (tokens.get(ws) !== current) ws.close(4401, 'admin token rotated');
      }
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function firstRefusal(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.ok) ?? { ok: true };
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
};

function refuseUpgrade(socket: Socket, verdict: Extract<Verdict, { ok: false }>): void {
  const body = JSON.stringify({
    error: { name: 'NovaError', code: verdict.code, message: verdict.message, fix: verdict.fix },
  });
  socket.end(
    `HTTP/1.1 ${verdict.status} ${REASON[verdict.status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (verdict.status === 401 ? 'WWW-Authenticate: Bearer realm="nova"\r\n' : '') +
      (verdict.status === 429 ? 'Retry-After: 60\r\n' : '') +
      '\r\n' +
      body,
  );
}
