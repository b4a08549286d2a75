/**
 * docker-compose.ha.yml (the highly available shapes, for trying failovers
 * locally) parsed as YAML and checked for what makes it work and keeps it
 * safe — there is no Docker engine on the test machines, so this is how the
 * file is validated, like the other compose files. The connection settings
 * its header tells people to use are read back through the appliance's own
 * configuration schema and must point at the ports the file publishes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import { parsePostgresUrl } from '../../../../main/core/config/postgres-url.js';
import { parseNodeList } from '../../../../main/core/stores/redis/redis-connection.js';
import { checkNoDefaultPassword, loadCompose, type ComposeService } from './compose-checks.js';

type Service = ComposeService;

const { text, doc } = loadCompose(
  path.join(import.meta.dirname, '../../../../docker-compose.ha.yml'),
);
const services = Object.entries(doc.services);
const argv = (s: Service) => [...(s.command ?? []), ...(s.entrypoint ?? [])].join(' ');

/** Host port → container port of every published port. */
function published(s: Service): [number, number][] {
  return (s.ports ?? []).map((p) => {
    const m = /^127\.0\.0\.1:(?:\$\{\w+:-)?(\d+)\}?:(\d+)$/.exec(p);
    expect(m, `${p} is published on 127.0.0.1 only`).not.toBeNull();
    return [Number(m![1]), Number(m![2])];
  });
}

describe('docker-compose.ha.yml', () => {
  it('is its own project, and starts nothing without a profile', () => {
    expect(doc.name).toBe('nova-db-ha');
    const profiles = new Set(services.flatMap(([, s]) => s.profiles ?? []));
    expect([...profiles].sort()).toEqual(['mongo-replica-set', 'postgres-ha', 'redis-sentinel']);
    for (const [name, s] of services) expect(s.profiles, name).toHaveLength(1);
  });

  it('uses the images of the other stacks', () => {
    for (const [name, s] of services) {
      const engine = name.startsWith('pg-')
        ? 'postgres:15-alpine'
        : name.startsWith('redis-')
          ? 'redis:7-alpine'
          : 'mongo:7';
      expect(s.image, name).toBe(engine);
    }
  });

  it('publishes on 127.0.0.1 only, with ports that do not collide with the nova-db stack', () => {
    const hostPorts = services.flatMap(([, s]) => published(s).map(([h]) => h));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const taken of [5432, 5433, 6379, 6380, 27017, 27018])
      expect(hostPorts).not.toContain(taken);
    // Sentinels and replica set members hand out their own addresses: the host must reach them unchanged.
    for (const [name, s] of services) {
      if (name.startsWith('pg-')) continue;
      for (const [host, container] of published(s)) expect(host, name).toBe(container);
    }
  });

  it('takes every password from the environment, never from a default or a command line', () => {
    checkNoDefaultPassword(text);
    for (const [name, s] of services) {
      const line = argv(s);
      // printf is a shell builtin: its arguments never reach a process list.
      expect(line, name).not.toMatch(/--requirepass|--password|\s-a\s|\s-p\s+"?\$\$\w*PASSWORD/);
      const check = (s.healthcheck?.test ?? []).join(' ');
      expect(check, name).not.toMatch(/\s-a\s|\s-p\s+"?\$\$\w*PASSWORD|--password/);
    }
    expect(argv(doc.services['pg-standby']!)).toContain('PGPASSWORD="$$POSTGRES_PASSWORD"');
  });

  it('keeps data in named volumes and checks the health of every server', () => {
    for (const [name, s] of services) {
      for (const v of s.volumes ?? [])
        expect(Object.keys(doc.volumes), name).toContain(v.split(':')[0]);
      if (name !== 'redis-ha-net') expect(s.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });

  it('builds a streaming standby and lets it log in for replication', () => {
    const standby = argv(doc.services['pg-standby']!);
    expect(standby).toMatch(/pg_basebackup -h pg-primary .* -R -X stream/);
    expect(doc.services['pg-primary']!.configs![0]!.target).toMatch(
      /^\/docker-entrypoint-initdb\.d\//,
    );
    expect(doc.configs!['pg-replication-hba']!.content).toContain(
      'host replication all all scram-sha-256',
    );
  });

  it('runs three sentinels with a quorum of two in the namespace whose ports are published', () => {
    const sentinels = services.filter(([n]) => n.startsWith('redis-sentinel-'));
    expect(sentinels).toHaveLength(3);
    const net = published(doc.services['redis-ha-net']!).map(([h]) => h);
    for (const [name, s] of services.filter(
      ([n]) => n.startsWith('redis-') && n !== 'redis-ha-net',
    )) {
      expect(s.network_mode, name).toBe('service:redis-ha-net');
    }
    for (const [, s] of sentinels) {
      expect(argv(s)).toContain('sentinel monitor mymaster 127.0.0.1 6381 2');
      expect(net).toContain(Number(s.environment!.SENTINEL_PORT));
    }
    expect(net).toEqual(expect.arrayContaining([6381, 6382]));
  });

  it('announces the replica set member at the port it publishes', () => {
    const mongo = doc.services['mongo-rs']!;
    expect(argv(mongo)).toMatch(
      /--replSet nova-rs --keyFile \/tmp\/keyfile --bind_ip_all --port 27019/,
    );
    expect(mongo.healthcheck!.test.join(' ')).toContain('host: "127.0.0.1:27019"');
    expect(published(mongo)).toEqual([[27019, 27019]]);
  });

  it('tells people settings the appliance accepts, pointing at the published ports', () => {
    const setting = (key: string) => new RegExp(`^#\\s+${key}=(\\S+)`, 'm').exec(text)?.[1];
    const pg = setting('POSTGRES_URL')!;
    const sentinels = setting('REDIS_SENTINELS')!;
    const mongo = setting('MONGODB_URL')!;
    const config = configSchema.parse({
      NOVA_DATA_DIR: '/x',
      NOVA_PROFILE: 'external',
      POSTGRES_URL: pg,
      REDIS_SENTINELS: sentinels,
      MONGODB_URL: mongo,
    });
    const pgPorts = parsePostgresUrl(config.POSTGRES_URL!).hosts.map((h) => h.port);
    expect(pgPorts).toEqual([
      published(doc.services['pg-primary']!)[0]![0],
      published(doc.services['pg-standby']!)[0]![0],
    ]);
    expect(parsePostgresUrl(pg).targetSessionAttrs).toBe('read-write');
    const net = published(doc.services['redis-ha-net']!).map(([h]) => h);
    for (const node of parseNodeList(config.REDIS_SENTINELS!)) expect(net).toContain(node.port);
    expect(mongo).toContain('127.0.0.1:27019/?replicaSet=nova-rs');
  });
});
