// Small helpers several layers share: byte sizes, the package version, "down" health.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../shared-contract/format-bytes.js';
import { packageVersion } from '../../../main/core/package-version.js';
import { downHealth } from '../../../main/core/stores/service-health.js';

describe('formatBytes', () => {
  it('uses binary units with one decimal above bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.0 MiB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GiB');
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048.0 TiB');
  });

  it('reads "—" when there is no number, as every screen shows a missing value', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

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
