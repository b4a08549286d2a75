/**
 * HTTP connections authenticated with the admin token. Every request is
 * checked against the current token anyway, but a keep-alive connection
 * opened with a revoked token should not stay open: after a rotation each one
 * is closed — at once when idle, right after its response when a request is
 * in flight (the rotation call itself must still get its answer).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestPolicy } from './request-security.js';

interface Session {
  token: string;
  inFlight: number;
  revoked: boolean;
}

export class TokenSessions {
  readonly #sessions = new Map<Socket, Session>();

  constructor(private readonly policy: RequestPolicy) {}

  get size(): number {
    return this.#sessions.size;
  }

  /** Called for a request that passed the token check. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    let session = this.#sessions.get(socket);
    if (!session) {
      session = { token: this.policy.token(), inFlight: 0, revoked: false };
      this.#sessions.set(socket, session);
      socket.once('close', () => this.#sessions.delete(socket));
    }
    const s = session;
    // The check just passed, so this request carried the current token.
    s.token = this.policy.token();
    s.inFlight++;
    res.once('close', () => {
      s.inFlight--;
      if (s.revoked && s.inFlight === 0) socket.destroy();
    });
  }

  revokeStale(): void {
    const current = this.policy.token();
    for (const [socket, s] of this.#sessions) {
      if (s.token === current) continue;
      s.revoked = true;
      if (s.inFlight === 0) socket.destroy();
    }
  }
}
