/**
 * One Setup service panel: what its fields start with, the saved password
 * kept unless typed over, the saved server sent as nothing when unchanged,
 * problems per field (an invalid port), the radios' states, and the words
 * of a test result.
 */
import { describe, expect, it } from 'vitest';
import type { Detection, FieldValues } from '../../../../renderer/screens/setup-model.js';
import {
  keepsSaved,
  optionRows,
  serverInUse,
  servicePanelModel,
  serviceRequest,
  testResultModel,
  type CurrentService,
  type SavedConnection,
} from '../../../../renderer/screens/setup-service-model.js';

const saved: SavedConnection = {
  host: 'db.example.org',
  port: 5433,
  database: 'nova_prod',
  user: 'nova',
  hasPassword: true,
};
const current = (over: Partial<CurrentService> = {}): CurrentService => ({
  service: 'postgres',
  profile: 'external',
  connection: saved,
  locked: false,
  ...over,
});
/** The form as it opens on the saved server, then with `over` typed. */
const typed = (over: Partial<FieldValues> = {}): FieldValues => ({
  host: saved.host,
  port: String(saved.port),
  database: saved.database!,
  user: saved.user!,
  password: '',
  passwordChanged: false,
  url: '',
  ...over,
});
const detection = (over: Partial<Detection> = {}): Detection => ({
  docker: { checked: true, client: null, engine: 'absent', compose: null },
  binaries: {},
  listening: [],
  ...over,
});

describe('panel', () => {
  it('a first run: embedded, default port and database, no password saved', () => {
    expect(servicePanelModel('redis', undefined)).toMatchObject({
      label: 'Redis',
      locked: false,
      lockedNotice: null,
      profile: 'embedded',
      initial: { host: '', port: 6379, database: 'nova', user: '' },
      showDatabase: false,
      passwordPlaceholder: '',
      passwordHint: 'Stored only in Nova’s private settings file.',
      urlPlaceholder: 'redis://:password@host:6379',
    });
  });

  it('a revisit: the saved server, the password masked and kept unless typed over', () => {
    expect(servicePanelModel('postgres', current())).toMatchObject({
      profile: 'external',
      initial: { host: 'db.example.org', port: 5433, database: 'nova_prod', user: 'nova' },
      showDatabase: true,
      passwordPlaceholder: '•••••••• (saved; type to replace)',
      passwordHint: 'A password is saved. Leave this empty to keep it.',
    });
  });

  it('a revisit of a saved PostgreSQL without a database: the field starts empty, so untouched it keeps the server', () => {
    const bare: SavedConnection = { host: 'h', port: 5432, hasPassword: false };
    const m = servicePanelModel('postgres', current({ connection: bare }));
    expect(m.initial).toEqual({ host: 'h', port: 5432, database: '', user: '' });
    // The form as it opens, sent as it is: nothing, which keeps the saved server.
    const opened = typed({ ...m.initial, port: String(m.initial.port) });
    expect(keepsSaved('postgres', bare, opened)).toBe(true);
    expect(serviceRequest('postgres', 'external', bare, opened)).toEqual({ errors: {}, send: {} });
    // Nothing saved: the default database is offered.
    expect(servicePanelModel('postgres', undefined).initial.database).toBe('nova');
  });

  it('chosen outside Nova: locked, with the notice saying where', () => {
    expect(servicePanelModel('mongo', current({ service: 'mongo', locked: true }))).toMatchObject({
      locked: true,
      lockedNotice:
        'Where MongoDB runs is set outside Nova (its environment, a .env file or its command line), so it cannot be changed here.',
    });
  });

  it('the server in use only when the saved choice is External', () => {
    expect(serverInUse(current())).toEqual({ host: 'db.example.org', port: 5433 });
    expect(serverInUse(current({ profile: 'native' }))).toBeNull();
    expect(serverInUse(undefined)).toBeNull();
  });
});

describe('what Save and Test send', () => {
  it('nothing for a service Nova runs itself, whatever the fields hold', () => {
    expect(serviceRequest('postgres', 'embedded', saved, typed({ port: 'abc' }))).toEqual({
      errors: {},
      send: {},
    });
  });

  it('nothing for the saved server unchanged (which keeps it, password included)', () => {
    expect(keepsSaved('postgres', saved, typed())).toBe(true);
    expect(serviceRequest('postgres', 'external', saved, typed())).toEqual({
      errors: {},
      send: {},
    });
  });

  it('a typed password is sent; an untouched empty one is not (the saved one stays)', () => {
    const changed = serviceRequest('postgres', 'external', saved, typed({ host: 'db2' }));
    expect(changed.send?.connection).toEqual({
      host: 'db2',
      port: 5433,
      database: 'nova_prod',
      user: 'nova',
    });
    const withPassword = serviceRequest(
      'postgres',
      'external',
      saved,
      typed({ password: 's3cret', passwordChanged: true }),
    );
    expect(withPassword.send?.connection).toMatchObject({
      host: 'db.example.org',
      password: 's3cret',
    });
    // Typed into and emptied again: an empty password is what was asked for.
    const cleared = serviceRequest('postgres', 'external', saved, typed({ passwordChanged: true }));
    expect(cleared.send?.connection).toMatchObject({ password: '' });
  });

  it('the database counts for PostgreSQL only', () => {
    expect(keepsSaved('postgres', saved, typed({ database: 'other' }))).toBe(false);
    expect(keepsSaved('redis', saved, typed({ database: 'other' }))).toBe(true);
  });

  it('a saved server without user or database: a database typed in is a change, none is not', () => {
    const bare: SavedConnection = { host: 'h', port: 5432, hasPassword: false };
    expect(
      keepsSaved('postgres', bare, typed({ host: 'h', port: '5432', user: '', database: 'nova' })),
    ).toBe(false);
    expect(
      keepsSaved('postgres', bare, typed({ host: 'h', port: '5432', user: '', database: '' })),
    ).toBe(true);
  });

  it('a URL replaces the fields, even on the saved server', () => {
    expect(keepsSaved('postgres', saved, typed({ url: 'postgres://x/y' }))).toBe(false);
    expect(
      serviceRequest(
        'postgres',
        'external',
        saved,
        typed({ url: ' postgres://x/y ', port: 'bad' }),
      ),
    ).toEqual({ errors: {}, send: { url: 'postgres://x/y' } });
  });

  it('no saved server: problems beside the fields (no host, a port out of range), nothing sent', () => {
    const r = serviceRequest('mongo', 'external', null, typed({ host: ' ', port: '70000' }));
    expect(r).toEqual({
      errors: { host: 'Enter the server name or address.', port: 'Enter a port from 1 to 65535.' },
      send: null,
    });
    expect(Object.keys(r.errors)).toEqual(['host', 'port']);
    expect(serviceRequest('mongo', 'external', null, typed({ port: '5432.5' })).errors).toEqual({
      port: 'Enter a port from 1 to 65535.',
    });
  });

  it('an empty port means the service’s default', () => {
    expect(
      serviceRequest('redis', 'external', null, typed({ host: 'cache', port: '', user: '' })).send,
    ).toEqual({ connection: { host: 'cache', port: 6379 } });
  });
});

describe('option radios', () => {
  it('an option this machine lacks is disabled with the reason, unless it is the saved choice', () => {
    const rows = optionRows('postgres', detection(), 'docker', false);
    expect(rows.map((r) => [r.value, r.checked, r.disabled])).toEqual([
      ['embedded', false, false],
      ['docker', true, false],
      ['native', false, true],
      ['external', false, false],
    ]);
    expect(rows[1]!.hint).toBe('Not available: Docker is not installed here.');
    expect(rows[2]!.hint).toBe(
      'Not available: The PostgreSQL server programs are not installed on this machine.',
    );
  });

  it('before detection every option is offered; a locked service offers none', () => {
    expect(optionRows('redis', null, 'embedded', false).some((r) => r.disabled)).toBe(false);
    expect(optionRows('redis', null, 'embedded', true).every((r) => r.disabled)).toBe(true);
  });
});

describe('test result', () => {
  it('works: the detail and the latency', () => {
    expect(testResultModel({ ok: true, latencyMs: 3.25, detail: 'PostgreSQL 16.2' })).toEqual({
      status: 'ok',
      badge: 'Works',
      detail: ' PostgreSQL 16.2',
      latency: ' (3.3 ms)',
      fix: null,
    });
  });

  it('failed: no latency, and what to do', () => {
    expect(
      testResultModel({ ok: false, latencyMs: null, detail: 'refused', fix: 'Start the server.' }),
    ).toMatchObject({ status: 'down', badge: 'Failed', latency: '', fix: 'Start the server.' });
  });
});
