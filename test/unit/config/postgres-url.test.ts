/**
 * POSTGRES_URL in libpq's multi-host syntax: parsing (hosts, ports,
 * target_session_attrs), the single-host URL `pg` gets for each host, and
 * every other place that reads the URL (config validation, backups' libpq
 * environment, scratch databases, messages) agreeing on it.
 */
import { describe, expect, it } from 'vitest';
import {
  describePostgres,
  pgToolEnv,
  withDatabase,
} from '../../../main/core/backup/postgres-connect.js';
import { configSchema } from '../../../main/core/config/schema.js';
import { NovaError } from '../../../main/core/errors.js';
import { redactSecrets } from '../../../main/core/config/redact.js';
import {
  buildPoolConfig,
  parsePostgresTarget,
  resolvePostgresOptions,
} from '../../../main/core/stores/postgres/postgres-connection.js';
import { isFailoverError } from '../../../main/core/stores/postgres/postgres-failover.js';
import { lsnToBigInt } from '../../../main/core/stores/postgres/postgres-replication.js';
import {
  isHighAvailability,
  parsePostgresUrl,
  postgresUrlForHost,
  postgresUrlWithDatabase,
} from '../../../main/core/config/postgres-url.js';
import { thrown } from '../../support/rejection.js';

const HA =
  'postgres://nova:s%40cret@db1.example:5432,db2.example:5433/nova?target_session_attrs=read-write&application_name=api';

describe('parsePostgresUrl', () => {
  it('reads every host with its port, the credentials, the database and target_session_attrs', () => {
    const p = parsePostgresUrl(HA);
    expect(p.hosts).toEqual([
      { host: 'db1.example', port: 5432 },
      { host: 'db2.example', port: 5433 },
    ]);
    expect(p).toMatchObject({
      user: 'nova',
      password: 's@cret',
      database: 'nova',
      targetSessionAttrs: 'read-write',
      loadBalanceHosts: 'disable',
    });
    expect(p.params.get('application_name')).toBe('api');
    expect(p.params.has('target_session_attrs')).toBe(false);
    expect(isHighAvailability(p)).toBe(true);
  });

  it('fills missing ports with 5432 and understands IPv6 literals', () => {
    const p = parsePostgresUrl('postgresql://u@[::1],h2:6000,h3/x');
    expect(p.hosts).toEqual([
      { host: '::1', port: 5432 },
      { host: 'h2', port: 6000 },
      { host: 'h3', port: 5432 },
    ]);
    expect(p.targetSessionAttrs).toBe('any');
  });

  it('takes host and port lists from parameters, one port for all or one per host', () => {
    expect(parsePostgresUrl('postgres:///nova?host=a,b&port=7000').hosts).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7000 },
    ]);
    expect(parsePostgresUrl('postgres:///nova?host=a,b&port=7000,7001').hosts).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
    const err = thrown(() => parsePostgresUrl('postgres://u:pw@/nova?host=a,b,c&port=1,2'));
    expect(err.message).toContain('3 hosts but 2 ports');
    expect(err.message).not.toContain('pw@');
  });

  it.each(['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'])(
    'accepts target_session_attrs=%s',
    (attrs) => {
      expect(
        parsePostgresUrl(`postgres://h1,h2/d?target_session_attrs=${attrs}`).targetSessionAttrs,
      ).toBe(attrs);
    },
  );

  it('refuses an unknown target_session_attrs, a bad port and another scheme, without the password', () => {
    const attrs = thrown(() =>
      parsePostgresUrl('postgres://u:hunter2@h1,h2/d?target_session_attrs=master'),
    );
    expect(attrs.code).toBe('CONFIG_INVALID');
    expect(attrs.message).toContain('target_session_attrs=master');
    expect(attrs.message).not.toContain('hunter2');
    expect(attrs.fix).toMatch(/read-write/);
    expect(thrown(() => parsePostgresUrl('postgres://h1:99999,h2/d')).message).toContain('"99999"');
    expect(thrown(() => parsePostgresUrl('postgres://h1:x,h2/d')).message).toContain('"x"');
    expect(thrown(() => parsePostgresUrl('mysql://root:hunter2@h/d')).message).not.toContain(
      'hunter2',
    );
    expect(
      thrown(() => parsePostgresUrl('postgres://h/d?load_balance_hosts=sometimes')).message,
    ).toContain('load_balance_hosts=sometimes');
  });

  it('is not high availability for one host without target_session_attrs', () => {
    expect(isHighAvailability(parsePostgresUrl('postgres://u@h:5432/d'))).toBe(false);
    expect(
      isHighAvailability(parsePostgresUrl('postgres://u@h/d?target_session_attrs=read-write')),
    ).toBe(true);
  });
});

describe('the URL pg connects with', () => {
  it('names one host and keeps credentials and parameters, without the host-selection ones', () => {
    const p = parsePostgresUrl(HA);
    expect(postgresUrlForHost(p, p.hosts[1]!)).toBe(
      'postgres://nova:s%40cret@db2.example:5433/nova?application_name=api',
    );
    expect(postgresUrlForHost(p, { host: '::1', port: 5432 })).toContain('@[::1]:5432/nova');
    const socket = postgresUrlForHost(parsePostgresUrl('postgres://u@h/d'), {
      host: '/run/pg',
      port: 5433,
    });
    expect(new URL(socket).searchParams.get('host')).toBe('/run/pg');
    expect(new URL(socket).searchParams.get('port')).toBe('5433');
  });

  it('buildPoolConfig uses the host it is given, else the first; a plain URL passes unchanged', () => {
    const options = resolvePostgresOptions({ url: HA });
    expect(buildPoolConfig(options, { host: 'db2.example', port: 5433 }).connectionString).toBe(
      'postgres://nova:s%40cret@db2.example:5433/nova?application_name=api',
    );
    expect(buildPoolConfig(options).connectionString).toContain('@db1.example:5432/');
    expect(
      buildPoolConfig(resolvePostgresOptions({ url: 'postgres://u@h/d?x=1' })).connectionString,
    ).toBe('postgres://u@h/d?x=1');
  });

  it('parsePostgresTarget reports the first host', () => {
    expect(parsePostgresTarget(HA)).toEqual({
      host: 'db1.example',
      port: 5432,
      database: 'nova',
      user: 'nova',
    });
  });
});

describe('every other reader of POSTGRES_URL', () => {
  it('config validation accepts the multi-host form and names what is wrong otherwise', () => {
    const base = { NOVA_DATA_DIR: '/x' };
    expect(configSchema.parse({ ...base, POSTGRES_URL: HA }).POSTGRES_URL).toBe(HA);
    const bad = configSchema.safeParse({
      ...base,
      POSTGRES_URL: 'postgres://h1,h2/d?target_session_attrs=nope',
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain('target_session_attrs=nope');
    const http = configSchema.safeParse({ ...base, POSTGRES_URL: 'http://x' });
    expect(http.error!.issues[0]!.message).toBe(
      'must be a URL starting with postgres:// or postgresql://',
    );
  });

  it('backups give libpq every host, their ports and target_session_attrs in its environment', () => {
    const env = pgToolEnv({ url: HA });
    expect(env).toMatchObject({
      PGHOST: 'db1.example,db2.example',
      PGPORT: '5432,5433',
      PGUSER: 'nova',
      PGDATABASE: 'nova',
      PGPASSWORD: 's@cret',
      PGTARGETSESSIONATTRS: 'read-write',
    });
    expect(pgToolEnv({ url: 'postgres://u@h:5432/d' })).not.toHaveProperty('PGTARGETSESSIONATTRS');
  });

  it('a scratch database keeps every host and parameter; messages list the hosts, never the password', () => {
    expect(withDatabase({ url: HA }, 'nova_verify_0123abcd').url).toBe(
      'postgres://nova:s%40cret@db1.example:5432,db2.example:5433/nova_verify_0123abcd?target_session_attrs=read-write&application_name=api',
    );
    expect(postgresUrlWithDatabase('postgres://u@h/d', 'x')).toBe('postgres://u@h/x');
    expect(describePostgres({ url: HA })).toBe('PostgreSQL db1.example:5432,db2.example:5433/nova');
    expect(redactSecrets(HA)).toBe(
      'postgres://nova:***@db1.example:5432,db2.example:5433/nova?target_session_attrs=read-write&application_name=api',
    );
  });
});

describe('failover classification and WAL positions', () => {
  const serverError = (code: string, severity = 'FATAL') =>
    Object.assign(new Error('x'), { code, severity });

  it('counts shutdowns, recovery, lost sockets and (for writing URLs) read-only refusals as failovers', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006'])
      expect(isFailoverError(serverError(code))).toBe(true);
    expect(isFailoverError(serverError('25006', 'ERROR'))).toBe(true);
    expect(isFailoverError(serverError('25006', 'ERROR'), false)).toBe(false);
    expect(isFailoverError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isFailoverError(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['23505', '42P01', '57014'])
      expect(isFailoverError(serverError(code, 'ERROR'))).toBe(false);
    expect(isFailoverError(new TypeError('bad parameter'))).toBe(false);
    expect(isFailoverError(new NovaError('CONSTRAINT_VIOLATION', 'x'))).toBe(false);
  });

  it('reads LSNs as byte positions', () => {
    expect(lsnToBigInt('0/0')).toBe(0n);
    expect(lsnToBigInt('1/10')).toBe((1n << 32n) + 16n);
    expect(lsnToBigInt('16/B374D848')! - lsnToBigInt('16/B374D800')!).toBe(72n);
    expect(lsnToBigInt('nope')).toBeUndefined();
  });
});
