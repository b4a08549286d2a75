/**
 * Setup around its service panels: the welcome line, what detection found
 * (a server Nova already uses gets a badge, not a button; Docker's state;
 * the server programs), and what Save did.
 */
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../../renderer/screens/setup-model.js';
import {
  detectionModel,
  fieldsProblem,
  outcomeModel,
  setupIntro,
} from '../../../../renderer/screens/setup-screen-model.js';

const detection = (over: Partial<Detection> = {}): Detection => ({
  docker: { checked: true, client: '27.1', engine: 'running', compose: 'v2' },
  binaries: {},
  listening: [],
  ...over,
});
const postgresOn5432: Detection['listening'][number] = {
  service: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  confirmed: true,
  version: '16.2',
  detail: 'answered',
  suggestion: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres' },
};

describe('Setup screen', () => {
  it('welcomes on the first run, says what Save does on a revisit', () => {
    expect(setupIntro(true)).toMatch(/^Welcome\. /);
    expect(setupIntro(false)).toBe(
      'Where each data service runs. Saving restarts the services with the new choice.',
    );
  });

  it('a server found: "Use this server" with what to fill in, unless Nova uses that one already', () => {
    const d = detection({ listening: [postgresOn5432] });
    expect(detectionModel(d, {}).found).toEqual([
      {
        service: 'postgres',
        title: 'PostgreSQL on 127.0.0.1:5432',
        version: 'Version 16.2; it answered as PostgreSQL.',
        inUse: false,
        useLabel: 'Use the PostgreSQL found on 127.0.0.1:5432',
        fields: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres' },
      },
    ]);
    expect(detectionModel(d, { postgres: { host: '127.0.0.1', port: 5432 } }).found[0]!.inUse).toBe(
      true,
    );
    // Nova uses another server (or none): the button stays.
    expect(detectionModel(d, { postgres: { host: '127.0.0.1', port: 5433 } }).found[0]!.inUse).toBe(
      false,
    );
    expect(detectionModel(d, { postgres: null }).found[0]!.inUse).toBe(false);
  });

  it('something answering that is not confirmed is not offered', () => {
    const d = detection({
      listening: [{ ...postgresOn5432, confirmed: false, suggestion: undefined }],
    });
    expect(detectionModel(d, {}).found).toEqual([]);
  });

  it('Docker: running with or without Compose; not running; absent; the detector’s reason first', () => {
    expect(detectionModel(detection(), {}).docker).toEqual({
      status: 'ok',
      badge: 'Available',
      text: 'Docker 27.1 is running.',
    });
    expect(
      detectionModel(
        detection({ docker: { checked: true, client: '27.1', engine: 'running', compose: null } }),
        {},
      ).docker.text,
    ).toBe('Docker 27.1 is running, without Compose.');
    const down = (engine: 'not-running' | 'absent', reason?: string) =>
      detectionModel(
        detection({
          docker: {
            checked: true,
            client: null,
            engine,
            compose: null,
            ...(reason ? { reason } : {}),
          },
        }),
        {},
      ).docker;
    expect(down('not-running')).toEqual({
      status: 'stopped',
      badge: 'Not available',
      text: 'Docker is installed but not running.',
    });
    expect(down('absent').text).toBe('Docker is not installed.');
    expect(down('absent', 'Permission denied on the Docker socket.').text).toBe(
      'Permission denied on the Docker socket.',
    );
  });

  it('Docker running without a known client version: no gap where the version would be', () => {
    const running = (client: string | null, compose: Detection['docker']['compose']) =>
      detectionModel(
        detection({ docker: { checked: true, client, engine: 'running', compose } }),
        {},
      ).docker.text;
    expect(running(null, 'v2')).toBe('Docker is running.');
    expect(running(null, null)).toBe('Docker is running, without Compose.');
    expect(running('', 'v2')).toBe('Docker is running.');
  });

  it('server programs: the version, "installed" without one, absent as null', () => {
    const d = detection({
      binaries: {
        postgres: { path: '/usr/bin/postgres', version: '16.2' },
        'redis-server': { path: '/usr/bin/redis-server', version: null },
        mongod: null,
      },
    });
    expect(detectionModel(d, {}).programs).toEqual([
      { name: 'PostgreSQL', version: '16.2' },
      { name: 'Redis', version: 'installed' },
      { name: 'MongoDB', version: null },
    ]);
  });
});

describe('Save', () => {
  it('names the service whose fields stopped it', () => {
    expect(fieldsProblem('mongo')).toBe('Check the MongoDB fields marked above.');
  });

  it('all started: no problems, every service with its state', () => {
    const m = outcomeModel({
      services: [
        { service: 'postgres', provider: 'external', state: 'healthy', since: 'now' },
        { service: 'redis', provider: 'native', state: 'starting', since: 'now' },
      ],
      failed: [],
    });
    expect(m).toEqual({
      failed: [],
      services: [
        { label: 'PostgreSQL ', state: 'healthy' },
        { label: 'Redis ', state: 'starting' },
      ],
      announce: 'Setup saved',
    });
  });

  it('a service that did not start: its message and what to do', () => {
    const m = outcomeModel({
      services: [],
      failed: [{ service: 'redis', message: 'port 6379 is taken', fix: 'Stop the other Redis.' }],
    });
    expect(m.failed).toEqual([
      { label: 'Redis: ', message: 'port 6379 is taken', fix: 'Stop the other Redis.' },
    ]);
    expect(m.announce).toBe('Setup saved with problems');
  });
});
