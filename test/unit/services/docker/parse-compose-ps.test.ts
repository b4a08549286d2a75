/**
 * `docker compose ps --format json` in both shapes Compose has printed, from
 * recorded real outputs (test/fixtures/docker/README.md).
 */
import { describe, expect, it } from 'vitest';
import { isNovaError } from '../../../../main/core/errors.js';
import {
  assessContainer,
  parseComposePs,
  publishedPort,
  type ComposeContainer,
} from '../../../../main/core/services/docker/parse-compose-ps.js';
import { loadFixture } from './replay.js';

const HINT = '`docker compose -p nova-db logs x`';
const byService = (list: ComposeContainer[], s: string) => list.find((c) => c.service === s)!;

describe('parseComposePs', () => {
  it('reads the single JSON array of Compose < 2.21', () => {
    const list = parseComposePs(loadFixture('compose-ps-array-pre-2.21').stdout);
    expect(list.map((c) => c.service)).toEqual(['db', 'wordpress']);
    expect(list[0]).toEqual({
      name: 'compose-ps-json-db-1',
      service: 'db',
      state: 'running',
      health: '',
      exitCode: 0,
      status: null,
      publishers: [{ url: '', targetPort: 3306, publishedPort: 0, protocol: 'tcp' }],
    });
    expect(publishedPort(list[1]!, 80)).toBe(8080);
    expect(publishedPort(list[0]!, 3306)).toBeNull();
  });

  it('reads one JSON object per line (Compose ≥ 2.21)', () => {
    const list = parseComposePs(
      loadFixture('compose-ps-ndjson-healthy-unhealthy-restarting').stdout,
    );
    expect(list.map((c) => `${c.service}:${c.state}:${c.health}`)).toEqual([
      'api:running:healthy',
      'postgres:running:healthy',
      'redis:running:healthy',
      'scheduler:restarting:',
      'web:running:healthy',
      'worker:running:unhealthy',
    ]);
    expect(byService(list, 'worker').status).toBe('Up 9 minutes (unhealthy)');
    expect(byService(list, 'scheduler').publishers).toEqual([]);
    expect(publishedPort(byService(list, 'api'), 8000)).toBe(18000);
    // Exposed but not published: no host port.
    expect(publishedPort(byService(list, 'postgres'), 5432)).toBeNull();
  });

  it('gives the same containers whichever shape the same output comes in', () => {
    const lines = loadFixture('compose-ps-ndjson-healthy-unhealthy-restarting')
      .stdout.trim()
      .split('\n');
    expect(parseComposePs(`[${lines.join(',')}]`)).toEqual(parseComposePs(lines.join('\n')));
  });

  it('reads a container whose health check is still starting', () => {
    const [web] = parseComposePs(loadFixture('compose-ps-ndjson-health-starting').stdout);
    expect(web).toMatchObject({ service: 'web', state: 'running', health: 'starting' });
    expect(web!.status).toBe('Up Less than a second (health: starting)');
  });

  it('treats an empty output (new shape) and [] (old shape) as no containers', () => {
    expect(parseComposePs('')).toEqual([]);
    expect(parseComposePs('\n')).toEqual([]);
    expect(parseComposePs('[]')).toEqual([]);
  });

  it('refuses output that is not compose ps JSON, saying where', () => {
    const cases: [string, RegExp][] = [
      ['WARNING: the attribute `version` is obsolete', /line 1 is not JSON/],
      ['{"Service":"db","State":"running"}\nnot json', /line 2 is not JSON/],
      ['[{"Service":"db","State":"running"}', /JSON array does not parse/],
      ['[{"Name":"x"}]', /array element 1 is not a container entry/],
      ['{"Service":"db"}', /line 1 is not a container entry/],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseComposePs(text);
      } catch (err) {
        caught = err;
      }
      expect(isNovaError(caught, 'INTERNAL'), text).toBe(true);
      expect((caught as Error).message).toMatch(message);
      expect((caught as { fix?: string }).fix).toMatch(/docker compose version/);
    }
  });
});

describe('assessContainer maps Docker state and health to the service state machine', () => {
  const list = parseComposePs(loadFixture('compose-ps-ndjson-healthy-unhealthy-restarting').stdout);
  const starting = parseComposePs(loadFixture('compose-ps-ndjson-health-starting').stdout)[0]!;
  const noHealthCheck = parseComposePs(loadFixture('compose-ps-array-pre-2.21').stdout)[0]!;

  it('maps the recorded states', () => {
    expect(assessContainer(byService(list, 'postgres'), HINT)).toEqual({ state: 'healthy' });
    expect(assessContainer(starting, HINT)).toEqual({ state: 'starting' });
    expect(assessContainer(noHealthCheck, HINT)).toEqual({ state: 'healthy' });
    const unhealthy = assessContainer(byService(list, 'worker'), HINT);
    expect(unhealthy.state).toBe('degraded');
    expect(unhealthy.reason).toBe(
      'its container is running but the health check is failing (Up 9 minutes (unhealthy))',
    );
    expect(unhealthy.fix).toContain(HINT);
    const restarting = assessContainer(byService(list, 'scheduler'), HINT);
    expect(restarting.state).toBe('degraded');
    expect(restarting.reason).toContain('keeps restarting (Restarting (0) 8 seconds ago)');
  });

  it('maps the other Docker states (a recorded container in each state)', () => {
    const pg = byService(list, 'postgres');
    const as = (state: string, exitCode = 0) =>
      assessContainer({ ...pg, state, exitCode, status: null }, HINT);
    expect(as('created')).toEqual({ state: 'starting' });
    expect(as('removing')).toEqual({ state: 'stopping' });
    expect(as('exited', 0)).toEqual({ state: 'stopped' });
    expect(as('exited', 143)).toEqual({ state: 'stopped' });
    expect(as('exited', 1)).toMatchObject({
      state: 'failed',
      reason: 'its container exited with code 1',
    });
    expect(as('exited', 137).reason).toBe('its container exited with code 137');
    expect(as('dead')).toMatchObject({ state: 'failed' });
    expect(as('paused')).toMatchObject({
      state: 'degraded',
      fix: expect.stringContaining('unpause postgres'),
    });
    expect(as('frozen')).toMatchObject({
      state: 'failed',
      reason: 'its container is in an unknown state "frozen"',
    });
  });
});
