/**
 * The Redis Sentinel/Cluster settings: how they are validated and read, and
 * how CLUSTER NODES replies become per-node health.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import {
  parseNodeList,
  redisTopologyFromConfig,
} from '../../../../main/core/stores/redis/redis-connection.js';
import { mapRedisError, redisHostPort } from '../../../../main/core/stores/redis/redis-errors.js';
import { parseClusterNodes } from '../../../../main/core/stores/redis/redis-topology.js';

const base = { NOVA_DATA_DIR: '/x', NOVA_REDIS_PROFILE: 'external' };

describe('REDIS_SENTINELS / REDIS_CLUSTER_NODES', () => {
  it('replaces REDIS_URL for the external profile and reads into ioredis options', () => {
    const config = configSchema.parse({
      ...base,
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,[::1]:26380',
      REDIS_SENTINEL_NAME: 'cache',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_PASSWORD: 'dp',
      REDIS_TLS: 'true',
    });
    expect(redisTopologyFromConfig(config)).toEqual({
      sentinel: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        name: 'cache',
        sentinelPassword: 'sp',
      },
      password: 'dp',
      tls: true,
    });
    const cluster = configSchema.parse({ ...base, REDIS_CLUSTER_NODES: 'n1:7000' });
    expect(redisTopologyFromConfig(cluster)).toEqual({
      cluster: { nodes: [{ host: 'n1', port: 7000 }] },
      tls: false,
    });
    expect(
      redisTopologyFromConfig(configSchema.parse({ ...base, REDIS_URL: 'redis://h' })),
    ).toBeUndefined();
    expect(configSchema.parse({ NOVA_DATA_DIR: '/x' }).REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('refuses a malformed list, both at once, and the external profile with none of the three', () => {
    const issues = (input: Record<string, string>) =>
      configSchema
        .safeParse({ ...base, ...input })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ REDIS_SENTINELS: '10.0.0.1' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINELS: must be host:port pairs/),
    ]);
    expect(issues({ REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES: cannot be combined with REDIS_SENTINELS/),
    ]);
    expect(issues({})).toEqual([expect.stringMatching(/^REDIS_URL: is required/)]);
  });

  it('splits node lists and names the setting to fix in errors', () => {
    expect(parseNodeList('a:1,,b:2 ')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
    expect(redisHostPort('Sentinel "m" (a:1)')).toBe('Sentinel "m" (a:1)');
    const err = mapRedisError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'Cluster (a:1)',
      'connect',
      'REDIS_CLUSTER_NODES',
    );
    expect(err.code).toBe('CONN_REFUSED');
    expect(err.fix).toContain('REDIS_CLUSTER_NODES');
    expect(
      mapRedisError(
        new Error('WRONGPASS invalid'),
        'Cluster (a:1)',
        'connect',
        'REDIS_CLUSTER_NODES',
      ).fix,
    ).toContain('REDIS_PASSWORD');
  });
});

describe('parseClusterNodes', () => {
  it('reads roles, slots, failures and links', () => {
    const text = [
      'e7d1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
      'a3f2 127.0.0.1:7001@17001 master,fail - 1700 1690 2 disconnected 5461-10922',
      '9c0b 127.0.0.1:7003@17003 slave e7d1 0 1700 1 connected',
      '',
    ].join('\n');
    expect(parseClusterNodes(text)).toEqual([
      { at: '127.0.0.1:7000', role: 'master', failed: false, connected: true, slots: '0-5460' },
      { at: '127.0.0.1:7001', role: 'master', failed: true, connected: false, slots: '5461-10922' },
      { at: '127.0.0.1:7003', role: 'replica', failed: false, connected: true, slots: '' },
    ]);
  });
});
