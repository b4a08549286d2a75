/**
 * The pure parts behind issue 14's screens: one status per service from
 * the aggregate (so no panel can disagree), Setup's fields ⇄ URL (hostile
 * passwords, kept saved passwords), the settings catalogue and its field
 * errors, log levels, and the operation log.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../../main/core/config/schema.js';
import { aggregate } from '../../../main/core/health/aggregate.js';
import { serviceRollup } from '../../../main/core/health/rollup.js';
import { classifyLogLine, LogRing, teeLogger } from '../../../main/core/app/log-ring.js';
import { logTaskOutcomes } from '../../../main/core/app/operation-log.js';
import { connectionUrl, shownConnection } from '../../../main/core/app/setup-connection.js';
import { settingErrors } from '../../../main/core/app/handlers/settings.js';
import { createLogger } from '../../../main/core/logger.js';
import { TaskRegistry } from '../../../main/core/tasks/task.js';
import { trayModel } from '../../../main/core/tray/tray-model.js';
import { SETTINGS_CATALOG } from '../../../shared-contract/settings-catalog.js';
import { outcome } from '../health/outcomes.js';

describe('service rollup', () => {
  it('a stopped Redis is down in the rollup, the aggregate and the tray alike', () => {
    const agg = aggregate([
      outcome('relational', 'ok'),
      outcome('documents', 'ok'),
      outcome('cache', 'down', { detail: 'Redis at 127.0.0.1:6390 refused the connection' }),
      outcome('services', 'down', { metrics: { postgres_up: 1, redis_up: 0 } }),
    ]);
    const rollup = serviceRollup(agg);
    expect(rollup.map((r) => [r.service, r.status])).toEqual([
      ['postgres', 'ok'],
      ['mongo', 'ok'],
      ['redis', 'down'],
    ]);
    expect(agg.status).toBe('degraded');
    const tray = trayModel(agg, { servicesRunning: true, backupRunning: false });
    expect(tray.icon).toBe('degraded');
    expect(tray.menu.find((m) => m.id === 'status:redis')?.status).toBe('down');
  });

  it('an up check of a service the orchestrator says is not running is at least degraded', () => {
    const agg = aggregate([
      outcome('relational', 'ok'),
      outcome('services', 'degraded', { metrics: { postgres_up: 0 } }),
    ]);
    expect(serviceRollup(agg)[0]).toMatchObject({ status: 'degraded' });
    // No check ran for documents or cache (data layer closed): not claimed ok.
    expect(serviceRollup(agg)[2]).toMatchObject({ status: 'down', checkId: null });
  });
});

describe('Setup connection fields', () => {
  it('builds URLs with hostile values encoded, and keeps the saved password when none is typed', () => {
    const url = connectionUrl('postgres', {
      host: 'db.example',
      port: 5433,
      database: 'nova db',
      user: 'ad@min',
      password: 'p@ss/w:rd',
    });
    expect(url).toBe('postgres://ad%40min:p%40ss%2Fw%3Ard@db.example:5433/nova%20db');
    expect(new URL(url).password).toBe('p%40ss%2Fw%3Ard');
    const kept = connectionUrl('postgres', { host: 'db2', port: 5432, user: 'nova' }, url);
    expect(decodeURIComponent(new URL(kept).password)).toBe('p@ss/w:rd');
    // An empty database is "nova" — unless the saved server named none (its default database).
    expect(new URL(kept).pathname).toBe('/nova');
    expect(connectionUrl('postgres', { host: 'db3', port: 5432 })).toBe('postgres://db3:5432/nova');
    expect(
      connectionUrl('postgres', { host: 'db3', port: 5432, user: 'u' }, 'postgres://u:pw@db3:5432'),
    ).toBe('postgres://u:pw@db3:5432');
    expect(
      connectionUrl('postgres', { host: 'db3', port: 5432, database: 'x' }, 'postgres://db3:5432'),
    ).toBe('postgres://db3:5432/x');
    expect(connectionUrl('redis', { host: '::1', port: 6379, password: 'x' })).toBe(
      'redis://:x@[::1]:6379',
    );
    expect(connectionUrl('mongo', { host: 'm', port: 27017, user: 'u', password: 'p' })).toBe(
      'mongodb://u:p@m:27017/?authSource=admin',
    );
  });

  it('shows a saved URL as fields, never with its password', () => {
    const shown = shownConnection('postgres', 'postgres://nova:s3cret@127.0.0.1:5432/nova');
    expect(shown).toEqual({
      host: '127.0.0.1',
      port: 5432,
      database: 'nova',
      user: 'nova',
      hasPassword: true,
    });
    expect(JSON.stringify(shown)).not.toContain('s3cret');
    expect(shownConnection('redis', 'not a url')).toBeNull();
  });
});

describe('settings for people', () => {
  it('every setting has a label, a description and a group', () => {
    for (const key of CONFIG_KEYS) {
      const info = SETTINGS_CATALOG[key];
      expect(info, key).toBeDefined();
      expect(info!.label).not.toMatch(/_/);
      expect(info!.description.length, key).toBeGreaterThan(10);
    }
  });

  it('says what is wrong with a value in words for its field', () => {
    expect(
      settingErrors({
        NOVA_PORT: 70000,
        POSTGRES_POOL_MAX: 2.5,
        NOVA_LOG_LEVEL: 'loud',
        NOVA_BACKUP_KEEP_LAST: 3,
      }),
    ).toEqual({
      NOVA_PORT: 'Enter a value from 1 to 65535.',
      POSTGRES_POOL_MAX: 'Enter a whole number.',
      NOVA_LOG_LEVEL:
        'Choose one of: Errors only, Warnings and errors, Normal, Everything (troubleshooting).',
    });
  });
});

describe('logs that tell the story', () => {
  it('classifies server and Nova lines by level', () => {
    expect(classifyLogLine('2026-01-01T00:00:00.000Z error backup failed')).toBe('error');
    expect(
      classifyLogLine('2026-01-01 10:00:00.000 UTC [123] FATAL:  password authentication failed'),
    ).toBe('error');
    expect(classifyLogLine('2026-01-01 10:00:00.000 UTC [123] WARNING:  could not flush')).toBe(
      'warn',
    );
    expect(classifyLogLine('1:M 01 Jan 2026 10:00:00.000 * Ready to accept connections tcp')).toBe(
      'info',
    );
    expect(classifyLogLine('1:M 01 Jan 2026 10:00:00.000 # Server initialized')).toBe('warn');
    expect(classifyLogLine('plain text')).toBeNull();
  });

  it('logs the start and the outcome of every task, with the reason of a failure', async () => {
    const ring = new LogRing();
    const logger = teeLogger(createLogger({ level: 'info', write: () => undefined }), ring);
    const tasks = new TaskRegistry();
    logTaskOutcomes(tasks, logger);
    await tasks
      .run('backup', 'Backup', async () => ({ name: '20260101T000000Z-ab12cd34', verified: true }))
      .start();
    await tasks
      .run('migration.run', 'Migration of log.sqlite', async () => {
        const { NovaError } = await import('../../../main/core/errors.js');
        throw new NovaError('CONFIG_INVALID', 'The target already holds data.', {
          fix: 'Choose an empty database.',
        });
      })
      .start()
      .catch(() => undefined);
    const cancelled = tasks.run(
      'backup.verify',
      'Verify b1',
      (ctx) =>
        new Promise((_r, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    );
    cancelled.cancel();
    await cancelled.start().catch(() => undefined);
    const text = ring.tailEntries(20).map((e) => `${e.level} ${e.text.replace(/^\S+ \S+\s+/, '')}`);
    expect(text).toEqual([
      'info Backup: started task=backup',
      'info Backup: finished (20260101T000000Z-ab12cd34, verified) task=backup',
      'info Migration of log.sqlite: started task=migration.run',
      'error Migration of log.sqlite: failed: The target already holds data. task=migration.run code=CONFIG_INVALID fix=Choose an empty database.',
      'info Verify b1: started task=backup.verify',
      'warn Verify b1: cancelled task=backup.verify',
    ]);
  });
});
