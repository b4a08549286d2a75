/**
 * Replicated Redis for failover tests, built from private `redis-server`s
 * (test/support/redis-server.ts) on free loopback ports:
 *
 * - `startRedisSentinel()`: a master, a replica and three sentinels
 *   (`redis-server <conf> --sentinel`, so no separate redis-sentinel binary is
 *   needed) watching it as "mymaster" with a 1 s down-after, all with passwords;
 * - `startRedisCluster()`: three masters joined by `redis-cli --cluster create`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { osFreePort } from '../../main/core/services/ports.js';
import { startRedis, type RedisTestServer } from './redis-server.js';

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ask<T>(port: number, password: string, ...command: string[]): Promise<T> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.call(command[0]!, ...command.slice(1))) as T;
  } finally {
    client.disconnect();
  }
}

export interface RedisSentinelSetup {
  name: string;
  password: string;
  sentinelPassword: string;
  master: RedisTestServer;
  replica: RedisTestServer;
  sentinels: RedisTestServer[];
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` for REDIS_SENTINELS. */
  sentinelList: string;
  /** The port the sentinels name as master now. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisSentinel(): Promise<RedisSentinelSetup> {
  const name = 'mymaster';
  const password = 'data-node-secret-1';
  const sentinelPassword = 'sentinel-secret-2';
  const started: RedisTestServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'nova-sentinel-'));
  const stop = async (): Promise<void> => {
    for (const s of started.reverse()) await s.kill().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const master = await startRedis({ password, args: ['--masterauth', password] });
    started.push(master);
    const replica = await startRedis({
      password,
      args: ['--replicaof', '127.0.0.1', String(master.port), '--masterauth', password],
    });
    started.push(replica);
    await until('replication', 20_000, async () =>
      /master_link_status:up/.test(
        await ask<string>(replica.port, password, 'INFO', 'replication'),
      ),
    );
    const sentinels: RedisTestServer[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await osFreePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          `sentinel auth-pass ${name} ${password}`,
          `sentinel sentinel-pass ${sentinelPassword}`,
          '',
        ].join('\n'),
      );
      const sentinel = await startRedis({
        port,
        password: sentinelPassword,
        configFile: conf,
        args: ['--sentinel'],
      });
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    // A failover needs a majority that knows each other and the replica: wait for the hello messages.
    for (const s of sentinels) {
      await until('sentinel discovery', 30_000, async () => {
        const peers = await ask<unknown[]>(s.port, sentinelPassword, 'SENTINEL', 'SENTINELS', name);
        const replicas = await ask<unknown[]>(
          s.port,
          sentinelPassword,
          'SENTINEL',
          'REPLICAS',
          name,
        );
        return peers.length === 2 && replicas.length === 1;
      });
    }
    return {
      name,
      password,
      sentinelPassword,
      master,
      replica,
      sentinels,
      sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      masterPort: async () => {
        const [, port] = await ask<string[]>(
          sentinels[0]!.port,
          sentinelPassword,
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          name,
        );
        return Number(port);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RedisClusterSetup {
  password: string;
  nodes: RedisTestServer[];
  /** `127.0.0.1:p1,…` for REDIS_CLUSTER_NODES. */
  nodeList: string;
  stop(): Promise<void>;
}

/** Three masters, no replicas, every slot assigned, cluster_state:ok on each node. */
export async function startRedisCluster(): Promise<RedisClusterSetup> {
  const password = 'cluster-secret-3';
  const nodes: RedisTestServer[] = [];
  const stop = async (): Promise<void> => {
    for (const n of nodes) await n.kill().catch(() => undefined);
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      nodes.push(
        await startRedis({
          password,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
            '--masterauth',
            password,
          ],
        }),
      );
    }
    const list = nodes.map((n) => `127.0.0.1:${n.port}`);
    // REDISCLI_AUTH keeps the password off redis-cli's command line.
    await execa('redis-cli', ['--cluster', 'create', ...list, '--cluster-yes'], {
      env: { REDISCLI_AUTH: password },
    });
    for (const n of nodes) {
      await until('cluster_state:ok', 30_000, async () =>
        /cluster_state:ok/.test(await ask<string>(n.port, password, 'CLUSTER', 'INFO')),
      );
    }
    return { password, nodes, nodeList: list.join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
