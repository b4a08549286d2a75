/**
 * Walking the cache's keys on one server or on every master of a Redis
 * Cluster. SCAN only sees the keys of the node it is sent to, so a cluster is
 * scanned master by master; and since keys of one node still live in
 * different hash slots, each is unlinked by a command of its own (pipelined),
 * never by one multi-key UNLINK that the cluster would refuse with CROSSSLOT.
 */
import { Cluster, type Redis } from 'ioredis';
import { serverStatsFromInfo, type RedisServerStats } from './redis-info.js';

const SCAN_COUNT = 500;

/** Escapes glob characters so SCAN MATCH treats the prefix literally. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The servers that hold keys: the masters of a cluster, else the one server. */
function keyHolders(client: Redis | Cluster): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Calls `batch` with every page of keys under `prefix`, node by node. */
async function scanPrefix(
  client: Redis | Cluster,
  prefix: string,
  batch: (node: Redis, keys: string[]) => Promise<void> | void,
): Promise<void> {
  for (const node of keyHolders(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(
        cursor,
        'MATCH',
        `${globEscape(prefix)}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      if (keys.length > 0) await batch(node, keys);
    } while (cursor !== '0');
  }
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS or FLUSHDB). */
export async function unlinkPrefix(client: Redis | Cluster, prefix: string): Promise<void> {
  const cluster = client instanceof Cluster;
  await scanPrefix(client, prefix, async (node, keys) => {
    if (!cluster) {
      await node.unlink(...keys);
      return;
    }
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  });
}

/** Keys under `prefix`. SCAN may return a key twice while the table rehashes, hence the Set. */
export async function countPrefix(client: Redis | Cluster, prefix: string): Promise<number> {
  const seen = new Set<string>();
  await scanPrefix(client, prefix, (_node, keys) => {
    for (const k of keys) seen.add(k);
  });
  return seen.size;
}

/** INFO counters; for a cluster, summed over its masters (the version is the first one's). */
export async function keyspaceStats(client: Redis | Cluster): Promise<RedisServerStats> {
  const all = await Promise.all(
    keyHolders(client).map(async (n) => serverStatsFromInfo(await n.info())),
  );
  const first = all[0] ?? { keyspaceHits: 0, keyspaceMisses: 0 };
  if (all.length <= 1) return first;
  const memory = all.every((s) => s.usedMemoryBytes !== undefined)
    ? all.reduce((sum, s) => sum + s.usedMemoryBytes!, 0)
    : undefined;
  return {
    ...(first.version ? { version: first.version } : {}),
    keyspaceHits: all.reduce((sum, s) => sum + s.keyspaceHits, 0),
    keyspaceMisses: all.reduce((sum, s) => sum + s.keyspaceMisses, 0),
    ...(memory !== undefined ? { usedMemoryBytes: memory } : {}),
  };
}
