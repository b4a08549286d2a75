/**
 * Setup's option logic: an option whose prerequisite is missing on this
 * machine is offered disabled with the reason (a choice Setup offers must
 * work), MongoDB's Native falls back to PostgreSQL's JSONB without mongod,
 * and the fields read into what Save sends.
 */
import { describe, expect, it } from 'vitest';
import {
  profileOptions,
  readConnection,
  type Detection,
} from '../../../../renderer/screens/setup-model.js';

const detection = (over: Partial<Detection> = {}): Detection => ({
  docker: { checked: true, client: '27.1', engine: 'running', compose: 'v2' },
  binaries: {},
  listening: [],
  ...over,
});
const reasons = (o: ReturnType<typeof profileOptions>) =>
  Object.fromEntries(o.map((x) => [x.value, x.disabledReason ?? null]));

describe('profile options', () => {
  it('before detection nothing is disabled', () => {
    expect(Object.values(reasons(profileOptions('postgres', null)))).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('Docker stopped or absent, and no server programs: Docker and Native disabled, saying why', () => {
    const stopped = detection({
      docker: { checked: true, client: '27.1', engine: 'not-running', compose: null },
    });
    expect(reasons(profileOptions('redis', stopped))).toEqual({
      embedded: null,
      docker: 'Docker’s engine is not running.',
      native: 'The Redis server programs are not installed on this machine.',
      external: null,
    });
    const absent = detection({
      docker: { checked: true, client: null, engine: 'absent', compose: null },
    });
    expect(reasons(profileOptions('postgres', absent)).docker).toBe(
      'Docker is not installed here.',
    );
  });

  it('installed programs: Native offered, naming the version when known', () => {
    const d = detection({
      binaries: { postgres: { path: '/usr/lib/postgresql/16/bin/postgres', version: '16.2' } },
    });
    const native = profileOptions('postgres', d).find((o) => o.value === 'native')!;
    expect(native).toEqual({
      value: 'native',
      label: 'Native',
      hint: 'A private PostgreSQL run by Nova from the installed programs (16.2).',
    });
  });

  it('MongoDB Native is never disabled: without mongod the documents go to PostgreSQL', () => {
    const without = profileOptions('mongo', detection()).find((o) => o.value === 'native')!;
    expect(without.disabledReason).toBeUndefined();
    expect(without.hint).toMatch(/stored in PostgreSQL \(JSONB\)/);
    const withMongod = profileOptions(
      'mongo',
      detection({ binaries: { mongod: { path: '/usr/bin/mongod', version: '7.0' } } }),
    ).find((o) => o.value === 'native')!;
    expect(withMongod.hint).toBe('MongoDB run by Nova from /usr/bin/mongod.');
  });
});

describe('reading the fields', () => {
  const fields = {
    host: ' db ',
    port: '5432',
    database: ' nova ',
    user: ' ',
    password: 'x',
    passwordChanged: false,
    url: '',
  };

  it('trimmed; the database for PostgreSQL only; an empty user and an untouched password left out', () => {
    expect(readConnection('postgres', fields)).toEqual({
      errors: {},
      connection: { host: 'db', port: 5432, database: 'nova' },
    });
    expect(readConnection('redis', fields).connection).toEqual({ host: 'db', port: 5432 });
  });

  it('port 0 and a non-number are refused', () => {
    expect(readConnection('postgres', { ...fields, port: '0' }).errors).toEqual({
      port: 'Enter a port from 1 to 65535.',
    });
    expect(readConnection('postgres', { ...fields, port: 'x' }).connection).toBeUndefined();
  });
});
