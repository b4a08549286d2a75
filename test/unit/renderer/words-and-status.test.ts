/**
 * Pure view-models of the renderer: what every status element shows from
 * one snapshot (live, and greyed "last known at" when Nova is gone), the
 * words a message uses on screen, Setup's options per machine, and the
 * Logs filter.
 */
import { describe, expect, it } from 'vitest';
import { forScreen } from '../../../renderer/lib/screen-words.js';
import { filterLog } from '../../../renderer/screens/logs-model.js';
import {
  profileOptions,
  readConnection,
  type Detection,
} from '../../../renderer/screens/setup-model.js';
import { statusView } from '../../../renderer/status/status-view.js';
import type { HealthSummaryDto } from '../../../shared-contract/methods/health.js';

const health: HealthSummaryDto = {
  status: 'degraded',
  at: Date.parse('2026-01-10T10:00:00Z'),
  reasons: [],
  checks: [
    {
      id: 'postgres',
      service: 'relational',
      label: 'PostgreSQL',
      status: 'ok',
      latencyMs: 1,
      detail: '',
      at: 0,
      durationMs: 1,
    },
    {
      id: 'redis',
      service: 'cache',
      label: 'Redis',
      status: 'down',
      latencyMs: null,
      detail: '',
      at: 0,
      durationMs: 1,
    },
  ],
  services: [
    {
      service: 'postgres',
      role: 'relational data',
      label: 'PostgreSQL',
      status: 'ok',
      detail: '',
      checkId: 'postgres',
    },
    {
      service: 'redis',
      role: 'cache',
      label: 'Redis',
      status: 'down',
      detail: '',
      checkId: 'redis',
    },
  ],
};

describe('status view', () => {
  it('live: every element shows the aggregate, and "checked … ago" moves with the clock', () => {
    const v = statusView({ health, connected: true, lostAt: null }, health.at + 42_000);
    expect(v.pill).toMatchObject({ status: 'degraded', text: 'System Degraded', stale: false });
    expect(v.overall).toMatchObject({
      status: 'degraded',
      headline: 'Degraded',
      checked: 'checked 42 s ago',
    });
    expect(v.checks.redis).toMatchObject({ status: 'down', stale: false });
    expect(v.services.redis).toMatchObject({ status: 'down', word: 'Down' });
    expect(v.banner).toBeNull();
  });

  it('disconnected: everything turns stale with "last known at", nothing claims to be live', () => {
    const v = statusView(
      { health, connected: false, lostAt: health.at + 5_000 },
      health.at + 60_000,
    );
    expect(v.stale).toBe(true);
    expect(v.banner).toMatch(
      /^Lost the connection to Nova at \d\d:\d\d:05\. Showing what was last known at \d\d:\d\d:00/,
    );
    expect(v.pill.text).toMatch(/^Last known: Degraded · \d\d:\d\d:00$/);
    expect(v.overall.checked).toMatch(/^last known at/);
    expect(Object.values(v.checks).every((c) => c.stale)).toBe(true);
    expect(Object.values(v.services).every((s) => s.stale)).toBe(true);
  });
});

describe('screen words', () => {
  it('names settings, buttons and screens instead of variables, commands, flags and methods', () => {
    expect(forScreen('Start Redis (nova-db up) or correct REDIS_URL.')).toBe(
      'Start Redis (the Start buttons on the Dashboard) or correct the Redis connection in Setup.',
    );
    expect(forScreen('Raise POSTGRES_POOL_MAX or run nova-db backup --encrypt.')).toBe(
      'Raise the “PostgreSQL connections” setting or run Back up now on the Backups screen.',
    );
    expect(forScreen('Add --resume to continue.')).toBe('Add Resume to continue.');
    expect(forScreen('Invalid input for setup.apply: urls.postgres')).toBe(
      'Invalid input for Setup: urls.postgres',
    );
    expect(forScreen('A plain sentence.')).toBe('A plain sentence.');
  });
});

describe('Setup options', () => {
  const detection = (engine: 'running' | 'not-running', mongod: boolean): Detection => ({
    docker: { checked: true, client: '27', engine, compose: null },
    binaries: {
      postgres: { path: '/usr/bin/postgres', version: '15' },
      'redis-server': null,
      mongod: mongod ? { path: '/usr/bin/mongod', version: '7' } : null,
    },
    listening: [],
  });

  it('offers Docker only with a running engine, native only with the programs, and says why not', () => {
    const pg = profileOptions('postgres', detection('not-running', false));
    expect(pg.find((o) => o.value === 'docker')?.disabledReason).toBe(
      'Docker’s engine is not running.',
    );
    expect(pg.find((o) => o.value === 'native')?.disabledReason).toBeUndefined();
    expect(
      profileOptions('redis', detection('running', false)).find((o) => o.value === 'native')
        ?.disabledReason,
    ).toMatch(/not installed/);
    expect(
      profileOptions('redis', detection('running', false)).find((o) => o.value === 'docker')
        ?.disabledReason,
    ).toBeUndefined();
    // Native MongoDB without mongod is offered: documents go to PostgreSQL JSONB and its backup.
    const mongo = profileOptions('mongo', detection('running', false)).find(
      (o) => o.value === 'native',
    )!;
    expect(mongo.disabledReason).toBeUndefined();
    expect(mongo.hint).toMatch(/PostgreSQL \(JSONB\) and backed up with it/);
  });

  it('reads the fields, with errors per field, and keeps a saved password unless one is typed', () => {
    const base = {
      host: 'db',
      port: '5432',
      database: 'nova',
      user: 'nova',
      password: '',
      passwordChanged: false,
      url: '',
    };
    expect(readConnection('postgres', base).connection).toEqual({
      host: 'db',
      port: 5432,
      database: 'nova',
      user: 'nova',
    });
    expect(
      readConnection('postgres', { ...base, password: 'x', passwordChanged: true }).connection
        ?.password,
    ).toBe('x');
    expect(readConnection('postgres', { ...base, host: ' ', port: '99999' }).errors).toEqual({
      host: 'Enter the server name or address.',
      port: 'Enter a port from 1 to 65535.',
    });
    expect(readConnection('redis', { ...base, url: 'redis://h:1' })).toEqual({
      errors: {},
      url: 'redis://h:1',
    });
  });
});

describe('log filter', () => {
  it('filters by level (each level includes the more severe) and by search text', () => {
    const lines = [
      { level: 'info' as const, text: 'Backup: started' },
      { level: 'error' as const, text: 'Backup: failed: disk full' },
      { level: 'warn' as const, text: 'Verify b1: cancelled' },
      { level: null, text: 'server line' },
    ];
    expect(filterLog(lines, 'warn', '').map((l) => l.text)).toEqual([
      'Backup: failed: disk full',
      'Verify b1: cancelled',
    ]);
    expect(filterLog(lines, 'all', 'BACKUP').length).toBe(2);
    expect(filterLog(lines, 'all', '').length).toBe(4);
  });
});
