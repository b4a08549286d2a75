/**
 * The shipped compose files (docs/ARCHITECTURE.md#packaging) parsed as YAML and checked for the
 * properties the appliance relies on. Parsed with js-yaml from node_modules
 * (present as a dependency of eslint; nothing was installed for this).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isNovaError } from '../../../../main/core/errors.js';
import { findComposeFile } from '../../../../main/core/services/docker/compose-files.js';
import { checkNoDefaultPassword, loadCompose, type ComposeDoc } from './compose-checks.js';

function load(stack: 'dev' | 'prod'): { text: string; doc: ComposeDoc; file: string } {
  const file = findComposeFile(stack);
  return { ...loadCompose(file), file };
}

const DATABASES = ['postgres', 'mongo', 'redis'];

function checkDatabases(doc: ComposeDoc): void {
  expect(doc.name).toBe('nova-db');
  expect(doc.services.postgres?.image).toBe('postgres:15-alpine');
  expect(doc.services.mongo?.image).toBe('mongo:7');
  expect(doc.services.redis?.image).toBe('redis:7-alpine');
  for (const name of DATABASES) {
    const s = doc.services[name]!;
    expect(s.profiles, `${name} must start without a profile`).toBeUndefined();
    // Every volume mount of a database is a named volume declared at the top level.
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!;
      expect(
        source.startsWith('/') || source.startsWith('.'),
        `${name} mounts a host path: ${v}`,
      ).toBe(false);
      expect(Object.keys(doc.volumes)).toContain(source);
    }
    expect(s.volumes?.length, `${name} keeps its data in a named volume`).toBeGreaterThan(0);
  }
  expect(doc.services.postgres!.healthcheck!.test.join(' ')).toMatch(/pg_isready -h 127\.0\.0\.1/);
  expect(doc.services.mongo!.healthcheck!.test.join(' ')).toMatch(/mongosh .*ping/);
  const redisCheck = doc.services.redis!.healthcheck!.test.join(' ');
  expect(redisCheck).toMatch(/redis-cli .*ping/);
  expect(redisCheck).toContain('REDISCLI_AUTH=');
  // The Redis password reaches the server through a file, never its argv.
  expect(doc.services.redis!.command!.join(' ')).toContain('requirepass');
  expect(doc.services.redis!.command!.join(' ')).not.toMatch(/--requirepass/);
}

describe('docker-compose.yml (development)', () => {
  const { doc, text, file } = load('dev');

  it('is found at the package root by an absolute path', () => {
    expect(path.isAbsolute(file)).toBe(true);
    expect(path.basename(file)).toBe('docker-compose.yml');
  });

  it('runs the three databases with health checks and named volumes', () => {
    checkDatabases(doc);
  });

  it('keeps pgAdmin and mongo-express behind the tools profile', () => {
    expect(doc.services.pgadmin?.image).toMatch(/^dpage\/pgadmin4:\d+$/);
    expect(doc.services['mongo-express']?.image).toMatch(/^mongo-express:\d+$/);
    expect(doc.services.pgadmin!.profiles).toEqual(['tools']);
    expect(doc.services['mongo-express']!.profiles).toEqual(['tools']);
  });

  it('publishes every port on 127.0.0.1 only, with defaults that avoid a local server', () => {
    const ports = Object.values(doc.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBe(5);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\$\{NOVA_\w+_PORT:-\d+\}:\d+$/);
    expect(doc.services.postgres!.ports).toEqual(['127.0.0.1:${NOVA_PG_PORT:-5433}:5432']);
    expect(doc.services.mongo!.ports).toEqual(['127.0.0.1:${NOVA_MONGO_PORT:-27018}:27017']);
    expect(doc.services.redis!.ports).toEqual(['127.0.0.1:${NOVA_REDIS_PORT:-6380}:6379']);
  });

  it('takes every password from the environment, with no default password', () => {
    checkNoDefaultPassword(text);
    expect(doc.services.postgres!.environment!.POSTGRES_PASSWORD).toMatch(
      /^\$\{POSTGRES_PASSWORD:\?/,
    );
    expect(doc.services.mongo!.environment!.MONGO_INITDB_ROOT_PASSWORD).toMatch(
      /^\$\{MONGO_PASSWORD:\?/,
    );
    expect(doc.services.redis!.environment!.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
  });
});

describe('docker-compose.prod.yml (production)', () => {
  const { doc, text } = load('prod');

  it('runs the three databases with health checks and named volumes, and no admin tools', () => {
    checkDatabases(doc);
    expect(Object.keys(doc.services).sort()).toEqual(['mongo', 'postgres', 'redis']);
  });

  it('restarts, limits resources and runs read-only with tmpfs scratch space', () => {
    for (const name of DATABASES) {
      const s = doc.services[name]!;
      expect(s.restart).toBe('unless-stopped');
      expect(s.read_only).toBe(true);
      expect(s.tmpfs).toContain('/tmp');
      expect(s.deploy?.resources?.limits?.cpus).toBeTruthy();
      expect(s.deploy?.resources?.limits?.memory).toBeTruthy();
    }
    expect(doc.services.postgres!.tmpfs).toContain('/var/run/postgresql');
  });

  it('publishes a port only when the environment names it, and only on loopback', () => {
    for (const name of DATABASES) {
      const ports = doc.services[name]!.ports ?? [];
      expect(ports).toHaveLength(1);
      // `:?` — no default: an unset variable is an error, not a silently published port.
      expect(ports[0]).toMatch(/^127\.0\.0\.1:\$\{NOVA_\w+_PORT:\?[^}]+\}:\d+$/);
    }
  });

  it('takes every password from the environment, with no default password', () => {
    checkNoDefaultPassword(text);
  });
});

describe('findComposeFile', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nova-compose-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('says where it looked when the application has no compose file', () => {
    let caught: unknown;
    try {
      findComposeFile('prod', tmp);
    } catch (err) {
      caught = err;
    }
    expect(isNovaError(caught, 'INTERNAL')).toBe(true);
    expect((caught as Error).message).toContain('docker-compose.prod.yml was not found');
    expect((caught as { fix?: string }).fix).toMatch(/absolute path/);
  });
});
