import { describe, expect, it } from 'vitest';
import {
  contract,
  eventSchema,
  isMethodName,
  METHOD_NAMES,
  type MethodName,
} from '../../../shared-contract/index.js';
import { parseInput } from '../../../main/core/app/dispatch.js';
import { NovaError } from '../../../main/core/errors.js';

/** The INVALID_ARGUMENT message parseInput throws for `input`, or null when it is accepted. */
function refusal(method: MethodName, input: unknown): string | null {
  try {
    parseInput(method, input);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    expect((err as NovaError).code).toBe('INVALID_ARGUMENT');
    return (err as NovaError).message;
  }
}

describe('shared contract', () => {
  it('names exactly the methods it has schemas for', () => {
    expect(new Set(Object.keys(contract))).toEqual(new Set(METHOD_NAMES));
    expect(METHOD_NAMES.every((m) => /^[a-z]+\.[a-zA-Z]+$/.test(m))).toBe(true);
    expect(isMethodName('app.info')).toBe(true);
    expect(isMethodName('app.nope')).toBe(false);
    expect(isMethodName({})).toBe(false);
  });

  it('treats a missing payload as "no arguments" only where nothing is required', () => {
    expect(refusal('app.info', undefined)).toBeNull();
    expect(refusal('health.history', null)).toBeNull();
    expect(refusal('services.start', undefined)).toMatch(/service/);
  });

  it('refuses unknown keys instead of ignoring them', () => {
    expect(refusal('app.info', { debug: true })).toMatch(/Invalid input for app\.info/);
    expect(refusal('services.stop', { service: 'redis', force: true })).toMatch(/force/);
  });

  it.each([
    ['services.start', { service: 'oracle' }, /service/],
    ['services.logs', { source: 'app', lines: 0 }, /lines/],
    ['services.logs', { source: 'app', lines: 5000 }, /lines/],
    ['tasks.get', { id: 'not-a-uuid' }, /id/],
    ['migration.inspect', { file: 'relative/log.sqlite' }, /absolute path/],
    ['migration.inspect', { file: '/tmp/a\u0000b' }, /NUL/],
    ['migration.inspect', { file: 42 }, /file/],
    ['migration.planPreview', { sessionId: 'x' }, /sessionId/],
    [
      'setup.testConnection',
      { service: 'postgres', profile: 'external', connection: { host: '', port: 5432 } },
      /connection\.host: Enter the server name or address/,
    ],
    [
      'setup.testConnection',
      { service: 'redis', profile: 'external', url: 'postgres://x@y/z' },
      /url: must start with redis:\/\/ or rediss:\/\//,
    ],
    ['setup.testConnection', { service: 'mongo', profile: 'cloud' }, /profile/],
    [
      'setup.apply',
      {
        profiles: { postgres: 'external', mongo: 'embedded', redis: 'embedded' },
        connections: { postgres: { host: 'db', port: 70000 } },
      },
      /connections\.postgres\.port/,
    ],
    [
      'setup.apply',
      {
        profiles: { postgres: 'embedded', mongo: 'embedded', redis: 'embedded' },
        urls: { mongo: 'http://evil' },
      },
      /urls\.mongo: must start with mongodb:\/\//,
    ],
    ['backups.run', { encrypt: true }, /passphrase: is required to encrypt/],
    ['backups.run', { encrypt: true, passphrase: 'short' }, /at least 8 characters/],
    ['backups.verify', { id: '../../etc' }, /backup name/],
    [
      'backups.restore',
      { id: '20250101T000000Z-abcd1234', confirm: 'yes' },
      /confirm: must repeat the backup name/,
    ],
    [
      'backups.setSchedule',
      { intervalHours: -1, keepLast: 1, keepDaily: 1, keepWeekly: 1 },
      /intervalHours/,
    ],
    ['settings.update', { values: {} }, /at least one setting/],
    ['settings.update', { values: { 'lower-case': 1 } }, /setting name/],
    ['settings.update', { values: { NOVA_LOG_LEVEL: { nested: true } } }, /NOVA_LOG_LEVEL/],
  ] as [MethodName, unknown, RegExp][])('%s refuses %j', (method, input, message) => {
    expect(refusal(method, input)).toMatch(message);
  });

  it('accepts good input and applies defaults', () => {
    expect(parseInput('services.logs', { source: 'redis' })).toEqual({
      source: 'redis',
      lines: 200,
    });
    expect(parseInput('backups.run', {})).toEqual({ encrypt: false });
    expect(
      parseInput('setup.apply', {
        profiles: { postgres: 'embedded', mongo: 'embedded', redis: 'native' },
      }),
    ).toEqual({
      profiles: { postgres: 'embedded', mongo: 'embedded', redis: 'native' },
      urls: {},
      connections: {},
    });
    expect(
      parseInput('backups.restore', {
        id: '20250101T000000Z-abcd1234',
        confirm: '20250101T000000Z-abcd1234',
      }),
    ).toMatchObject({ id: '20250101T000000Z-abcd1234' });
    expect(parseInput('migration.inspect', { file: 'C:\\data\\log.sqlite' })).toEqual({
      file: 'C:\\data\\log.sqlite',
    });
  });

  it('describes pushed events, and refuses a malformed one', () => {
    expect(eventSchema.safeParse({ type: 'runtime', state: 'ready' }).success).toBe(true);
    expect(eventSchema.safeParse({ type: 'runtime', state: 'exploded' }).success).toBe(false);
    expect(eventSchema.safeParse({ type: 'unknown' }).success).toBe(false);
  });
});
