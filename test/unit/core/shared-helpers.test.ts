// Small helpers several layers share: the package version, "down" health.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../../main/core/package-version.js';
import { downHealth } from '../../../main/core/stores/service-health.js';

describe('packageVersion', () => {
  it("is this checkout's package.json version", () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    expect(packageVersion()).toBe(pkg.version);
    expect(packageVersion('unknown')).toBe(pkg.version);
  });
});

describe('downHealth', () => {
  const base = { service: 'cache', backend: 'redis' };

  it('reports a plain reason without latency or fix', () => {
    expect(downHealth(base, 'closed')).toEqual({
      ...base,
      status: 'down',
      latencyMs: null,
      detail: 'closed',
    });
  });

  it("takes an error's message and fix, and leaves out an empty fix", () => {
    expect(downHealth(base, { message: 'refused', fix: 'start it' })).toEqual({
      ...base,
      status: 'down',
      latencyMs: null,
      detail: 'refused',
      fix: 'start it',
    });
    expect(downHealth(base, new Error('boom'))).not.toHaveProperty('fix');
  });
});
