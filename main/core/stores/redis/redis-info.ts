/**
 * What health() reports about Redis beyond PING: the server's own counters
 * from INFO, and — while it is unreachable — a plain TCP probe that tells
 * "nothing listens there" (ECONNREFUSED) from "something does not answer".
 */
import { connect } from 'node:net';

/** Server-wide counters from Redis INFO (all clients of that Redis, not just this process). */
export interface RedisServerStats {
  version?: string;
  keyspaceHits: number;
  keyspaceMisses: number;
  usedMemoryBytes?: number;
}

export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** Reads the counters we report; fields missing (e.g. on a Redis-compatible server) count as 0 or are left out. */
export function serverStatsFromInfo(text: string): RedisServerStats {
  const info = parseInfo(text);
  const num = (name: string) => Number(info.get(name) ?? 0) || 0;
  const version = info.get('redis_version');
  const memory = info.get('used_memory');
  return {
    ...(version ? { version } : {}),
    keyspaceHits: num('keyspace_hits'),
    keyspaceMisses: num('keyspace_misses'),
    ...(memory !== undefined ? { usedMemoryBytes: Number(memory) } : {}),
  };
}

/**
 * One TCP connect to host:port, resolved (never rejected) with the reason
 * Redis cannot be used: the socket error (code ECONNREFUSED…), a timeout, or
 * "not ready" when the port accepts connections but the client is not ready.
 */
export function probeTcp(
  host: string,
  port: number,
  clientStatus: string,
  timeoutMs = 1000,
): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', (err) => {
      socket.destroy();
      resolve(err);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(new Error(`port open but the client is not ready (${clientStatus})`));
    });
  });
}
