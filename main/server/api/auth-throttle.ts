/**
 * Failed admin-token attempts, per source address: each is logged (at most
 * one line per source per interval, with the count of those not logged
 * separately, so a flood cannot flood the log), and a source with too many
 * failures in a short window is refused for a while with 429 before its
 * token is even compared. The token has 256 bits, so this is not what keeps
 * it secret; it makes guessing visible and keeps a noisy client from
 * burning CPU and log space.
 */
import type { IncomingMessage } from 'node:http';
import type { ServerLogger } from '../http-server.js';

export interface AuthThrottleOptions {
  logger: Pick<ServerLogger, 'warn'>;
  /** Failures within `windowMs` that block a source. Default 10. */
  maxFailures?: number;
  windowMs?: number;
  /** How long a blocked source is refused. Default 60 s. */
  blockMs?: number;
  /** At most one log line per source per this interval. Default 10 s. */
  logEveryMs?: number;
  now?: () => number;
}

interface Source {
  failures: number[];
  blockedUntil: number;
  lastLogAt: number;
  unlogged: number;
}

/** Sources remembered at most; the oldest are forgotten first (bounded memory under a spray of addresses). */
const MAX_SOURCES = 10_000;

export class AuthThrottle {
  readonly #sources = new Map<string, Source>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #blockMs: number;
  readonly #logEveryMs: number;
  readonly #now: () => number;

  constructor(private readonly options: AuthThrottleOptions) {
    this.#max = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#blockMs = options.blockMs ?? 60_000;
    this.#logEveryMs = options.logEveryMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds the source of `req` must still wait, or 0. */
  blockedFor(req: IncomingMessage): number {
    const source = this.#sources.get(sourceAddress(req));
    return source ? Math.max(0, source.blockedUntil - this.#now()) : 0;
  }

  /** Records a wrong token from the source of `req`; logs (rate-limited) and blocks when due. */
  failed(req: IncomingMessage, what: string): void {
    const address = sourceAddress(req);
    const now = this.#now();
    let source = this.#sources.get(address);
    if (!source) {
      if (this.#sources.size >= MAX_SOURCES) {
        const oldest = this.#sources.keys().next().value;
        if (oldest !== undefined) this.#sources.delete(oldest);
      }
      source = { failures: [], blockedUntil: 0, lastLogAt: -Infinity, unlogged: 0 };
      this.#sources.set(address, source);
    }
    source.failures = source.failures.filter((t) => now - t < this.#windowMs);
    source.failures.push(now);
    const blocking = source.failures.length >= this.#max && source.blockedUntil <= now;
    if (blocking) source.blockedUntil = now + this.#blockMs;
    if (blocking || now - source.lastLogAt >= this.#logEveryMs) {
      const more = source.unlogged > 0 ? ` (+${source.unlogged} more since the last line)` : '';
      this.options.logger.warn(
        `rejected a wrong admin token from ${address} on ${what}${more}` +
          (blocking
            ? `; ${source.failures.length} failures within ${this.#windowMs / 1000} s, so ${address} is refused for ${this.#blockMs / 1000} s`
            : ''),
      );
      source.lastLogAt = now;
      source.unlogged = 0;
    } else {
      source.unlogged++;
    }
  }

  /** A right token: the source starts afresh. */
  succeeded(req: IncomingMessage): void {
    this.#sources.delete(sourceAddress(req));
  }
}

function sourceAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
