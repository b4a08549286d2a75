import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../main/core/config/schema.js';
import { NovaError } from '../../../../main/core/errors.js';
import {
  buildPoolConfig,
  parsePostgresTarget,
  postgresOptionsFromConfig,
  resolvePostgresOptions,
  type PostgresStoreOptions,
} from '../../../../main/core/stores/postgres/postgres-connection.js';
import { redactSecrets } from '../../../../main/core/config/redact.js';

function thrown(fn: () => unknown): NovaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    return err as NovaError;
  }
  throw new Error('expected a NovaError');
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const poolConfig = (options: PostgresStoreOptions) =>
  buildPoolConfig(resolvePostgresOptions(options));

describe('redactSecrets', () => {
  it('masks the password in the userinfo and keeps everything else', () => {
    expect(redactSecrets('postgres://nova:s3cret@db.example:5433/nova?application_name=x')).toBe(
      'postgres://nova:***@db.example:5433/nova?application_name=x',
    );
  });

  it('masks a percent-encoded password and password query parameters', () => {
    const out = redactSecrets(
      'postgresql://u:p%40ss%2Fw@h/db?password=also-secret&sslmode=require',
    );
    expect(out).not.toContain('p%40ss');
    expect(out).not.toContain('also-secret');
    expect(out).toContain('sslmode=require');
  });

  it('leaves URLs without a password unchanged', () => {
    expect(redactSecrets('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
    expect(redactSecrets('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('still hides the password of a string URL parsing refuses', () => {
    const out = redactSecrets('postgres://u:pa ss word@host:5432/db');
    expect(out).not.toContain('pa ss word');
    expect(out).toContain('u:***@');
  });
});

describe('parsePostgresTarget', () => {
  it('reads host, port, database and user from the URL', () => {
    expect(parsePostgresTarget('postgres://alice:pw@db.internal:6543/helpdesk')).toEqual({
      host: 'db.internal',
      port: 6543,
      database: 'helpdesk',
      user: 'alice',
    });
  });

  it('defaults the port to 5432 and the database to the user, as PostgreSQL does', () => {
    const t = parsePostgresTarget('postgres://bob@10.0.0.5');
    expect(t.port).toBe(5432);
    expect(t.database).toBe('bob');
  });

  it('understands a Unix socket host given as a parameter and IPv6 literals', () => {
    expect(parsePostgresTarget('postgresql:///nova?host=/var/run/postgresql').host).toBe(
      '/var/run/postgresql',
    );
    expect(parsePostgresTarget('postgres://u@[::1]:5432/x').host).toBe('::1');
  });

  it('refuses a value that is not a postgres URL, without echoing its password', () => {
    const err = thrown(() => parsePostgresTarget('mysql://root:hunter2@db/x'));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('POSTGRES_URL');
    expect(err.message).not.toContain('hunter2');
    expect(thrown(() => parsePostgresTarget('not a url')).code).toBe('CONFIG_INVALID');
  });
});

describe('resolvePostgresOptions', () => {
  it('applies the NovaConfig defaults', () => {
    const o = resolvePostgresOptions({ url: 'postgres://u@h/d' });
    expect(o).toMatchObject({
      poolMax: 10,
      idleTimeoutMs: 30_000,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 60_000,
      ssl: 'disable',
    });
  });

  it.each([
    ['poolMax', 0, 'POSTGRES_POOL_MAX'],
    ['poolMax', 2.5, 'POSTGRES_POOL_MAX'],
    ['connectTimeoutMs', 0, 'POSTGRES_CONNECT_TIMEOUT_MS'],
    ['idleTimeoutMs', -1, 'POSTGRES_IDLE_TIMEOUT_MS'],
    ['statementTimeoutMs', Number.NaN, 'POSTGRES_STATEMENT_TIMEOUT_MS'],
  ])('refuses %s=%s naming %s', (key, value, name) => {
    const err = thrown(() => resolvePostgresOptions({ url: 'postgres://u@h/d', [key]: value }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(name);
  });

  it('refuses an unknown TLS mode', () => {
    const err = thrown(() =>
      resolvePostgresOptions({ url: 'postgres://u@h/d', ssl: 'prefer' as never }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.fix).toContain('POSTGRES_SSL');
  });
});

describe('buildPoolConfig', () => {
  it('maps the settings onto pg and sends statement_timeout only when set', () => {
    const cfg = poolConfig({
      url: 'postgres://u@h/d',
      poolMax: 3,
      idleTimeoutMs: 100,
      connectTimeoutMs: 200,
      statementTimeoutMs: 300,
    });
    expect(cfg).toMatchObject({
      max: 3,
      idleTimeoutMillis: 100,
      connectionTimeoutMillis: 200,
      statement_timeout: 300,
      ssl: false,
    });
    expect(poolConfig({ url: 'postgres://u@h/d', statementTimeoutMs: 0 })).not.toHaveProperty(
      'statement_timeout',
    );
  });

  it('require encrypts without verifying; verify-full verifies with the CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-ca-'));
    temporary.push(dir);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(poolConfig({ url: 'postgres://u@h/d', ssl: 'require' }).ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(
      poolConfig({ url: 'postgres://u@h/d', ssl: 'verify-full', sslCaFile: caFile }).ssl,
    ).toEqual({
      rejectUnauthorized: true,
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it('refuses a CA file that cannot be read, naming POSTGRES_SSL_CA', () => {
    const err = thrown(() =>
      poolConfig({ url: 'postgres://u@h/d', ssl: 'verify-full', sslCaFile: '/nonexistent/ca.pem' }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('POSTGRES_SSL_CA=/nonexistent/ca.pem');
    expect(err.message).toContain('ENOENT');
  });

  it('accepts an sslmode in the URL that agrees with POSTGRES_SSL and strips it', () => {
    const cfg = poolConfig({
      url: 'postgres://u@h/d?sslmode=require&application_name=x',
      ssl: 'require',
    });
    expect(cfg.connectionString).toBe('postgres://u@h/d?application_name=x');
  });

  it('refuses an sslmode in the URL that contradicts POSTGRES_SSL, and other URL TLS parameters', () => {
    const clash = thrown(() =>
      poolConfig({ url: 'postgres://u:pw@h/d?sslmode=require', ssl: 'disable' }),
    );
    expect(clash.code).toBe('CONFIG_INVALID');
    expect(clash.message).toContain('sslmode=require');
    expect(clash.message).not.toContain('pw');
    const rootcert = thrown(() =>
      poolConfig({ url: 'postgres://u@h/d?sslrootcert=/x.pem', ssl: 'verify-full' }),
    );
    expect(rootcert.message).toContain('sslrootcert');
    expect(rootcert.fix).toContain('POSTGRES_SSL_CA');
  });
});

describe('postgresOptionsFromConfig', () => {
  it('takes every POSTGRES_* setting from NovaConfig', () => {
    const config = configSchema.parse({
      NOVA_DATA_DIR: '/tmp/nova',
      POSTGRES_URL: 'postgres://u@h/d',
      POSTGRES_POOL_MAX: '4',
      POSTGRES_STATEMENT_TIMEOUT_MS: '0',
      POSTGRES_SSL: 'require',
    });
    expect(postgresOptionsFromConfig(config)).toMatchObject({
      url: 'postgres://u@h/d',
      poolMax: 4,
      statementTimeoutMs: 0,
      ssl: 'require',
    });
  });

  it('refuses a configuration without POSTGRES_URL', () => {
    const config = configSchema.parse({ NOVA_DATA_DIR: '/tmp/nova' });
    const err = thrown(() => postgresOptionsFromConfig(config));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('POSTGRES_URL');
  });
});
