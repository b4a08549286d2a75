/**
 * A password given inside a connection URL — user-info, `?password=`,
 * `?sslpassword=`, Redis's `:password@` — must never come back out: not from
 * any CLI command (text or --json, stdout or stderr), not from any API
 * method's answer, not from the logs. The passwords are fed in through the
 * UI's setup (setup.apply), the environment and the command line, against
 * a real scratch PostgreSQL and a private Redis that requires its password.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../shared-contract/index.js';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { startRedis, type RedisTestServer } from '../../support/redis-server.js';
import { cleanEnv, runNova } from '../cli/cli-process.js';
import { callApi, loginToken, readyUrl, startServe, stopAllServes } from './serve-process.js';

const PG_QUERY_PW = 'PgQueryPw7731';
const PG_SSL_PW = 'PgSslKeyPw5519';
const PG_USERINFO_PW = 'PgUserInfoPw4402';
const REDIS_PW = 'RedisPw9083';
const MONGO_PW = 'MongoPw2264';
const SECRETS = [PG_QUERY_PW, PG_SSL_PW, PG_USERINFO_PW, REDIS_PW, MONGO_PW];

/** Methods that would end the run this test observes, or need a job that does not exist. */
const NOT_CALLED_BLIND = new Set([
  'settings.rotateAdminToken',
  'backups.restore',
  'migration.start',
  'migration.resume',
]);

let root: string;
let db: ScratchDatabase;
let redis: RedisTestServer;
let pgUrl: string;
let redisUrl: string;
/** Every byte any command or API call printed or answered, labelled. */
const seen: { where: string; text: string }[] = [];

function leaks(): string[] {
  return seen.flatMap(({ where, text }) =>
    SECRETS.filter((s) => text.includes(s)).map((s) => `${where} printed ${s}`),
  );
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-redaction-'));
  db = await createScratchDatabase('nova_redact');
  redis = await startRedis({ password: REDIS_PW });
  // The machine's PostgreSQL trusts local connections, so the password is carried, not checked.
  pgUrl = `${db.url}?password=${PG_QUERY_PW}`;
  redisUrl = `redis://:${REDIS_PW}@127.0.0.1:${redis.port}/0`;
}, 120_000);

afterAll(async () => {
  await stopAllServes();
  await redis?.stop();
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

describe('no password comes back out (issue 13, defect 3)', () => {
  it('the API: setup.apply, services.list and every other method', async () => {
    const dataDir = path.join(root, 'data');
    const serve = startServe(['serve', '--port', '0', '--json', '--data-dir', dataDir], {
      cwd: root,
    });
    const url = await readyUrl(serve);
    const token = loginToken(serve);
    const call = async (method: string, input?: unknown) => {
      const r = await callApi(url, token, method, input);
      seen.push({ where: `API ${method}`, text: r.text });
      return r;
    };

    const applied = await call('setup.apply', {
      profiles: { postgres: 'external', mongo: 'embedded', redis: 'external' },
      urls: { postgres: pgUrl, redis: redisUrl },
    });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.text).toContain('password=***');

    const listed = await call('services.list');
    expect(listed.status).toBe(200);
    const services = (JSON.parse(listed.text) as { result: { services: { url?: string }[] } })
      .result.services;
    expect(services.map((s) => s.url ?? '').join(' ')).toContain('redis://:***@');

    await call('setup.testConnection', {
      service: 'postgres',
      profile: 'external',
      url: `${db.url.replace('://', `://postgres:${PG_USERINFO_PW}@`)}?sslpassword=${PG_SSL_PW}`,
    });
    await call('setup.testConnection', {
      service: 'mongo',
      profile: 'external',
      url: `mongodb://nova:${MONGO_PW}@127.0.0.1:1/x?password=${MONGO_PW}`,
    });
    for (const method of METHOD_NAMES) {
      if (!NOT_CALLED_BLIND.has(method)) await call(method, {});
    }
    await call('services.logs', { source: 'app', lines: 500 });
    serve.child.kill('SIGTERM');
    await serve.exited;
    seen.push({ where: 'serve stdout', text: serve.stdout() });
    seen.push({ where: 'serve stderr', text: serve.stderr() });
    expect(leaks()).toEqual([]);
  }, 180_000);

  it('every CLI command, with the passwords in the settings, the environment and on the command line', async () => {
    const dataDir = path.join(root, 'data');
    const env = cleanEnv({ NOVA_BACKUP_INTERVAL_HOURS: '0' });
    const envWithMongo = cleanEnv({
      NOVA_MONGO_PROFILE: 'external',
      MONGODB_URL: `mongodb://nova:${MONGO_PW}@127.0.0.1:1/x?password=${MONGO_PW}`,
    });
    const legacy = generateLegacyDatabase(path.join(root, 'log.sqlite'), { users: 3, logs: 10 });
    const backupDir = path.join(root, 'backup');
    const commands: { args: string[]; env: NodeJS.ProcessEnv }[] = [
      { args: ['status'], env },
      { args: ['--json', 'status'], env },
      { args: ['doctor'], env },
      { args: ['--json', 'doctor'], env },
      { args: ['status'], env: envWithMongo },
      { args: ['--json', 'doctor'], env: envWithMongo },
      { args: ['backup', '--out', backupDir], env },
      { args: ['--json', 'backups'], env },
      { args: ['verify', backupDir], env },
      {
        args: [
          'migrate',
          '--source',
          legacy.file,
          '--dry-run',
          '--target',
          'postgres',
          '--postgres-url',
          `${db.url.replace('://', `://postgres:${PG_USERINFO_PW}@`)}?sslpassword=${PG_SSL_PW}`,
        ],
        env,
      },
    ];
    for (const { args, env: e } of commands) {
      const r = await runNova(['--data-dir', dataDir, ...args], {
        env: e,
        cwd: root,
        timeoutMs: 120_000,
      });
      seen.push({ where: `nova-db ${args.join(' ')} (exit ${r.code})`, text: r.stdout + r.stderr });
    }
    // The commands did run against the servers (not all failing before touching a URL).
    const statusOut = seen.find((s) => s.where.startsWith('nova-db --json status'))!.text;
    expect(statusOut).toContain('"state":"healthy"');
    expect(leaks()).toEqual([]);
  }, 600_000);
});
