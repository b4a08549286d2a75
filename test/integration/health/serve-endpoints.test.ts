/**
 * `nova-db serve`, in process, on the embedded profile: /health and /metrics
 * are both served from the monitor it starts, and it stops cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import type { HealthJson } from '../../../main/server/health-routes.js';
import { parsePrometheusText } from '../../unit/health/prometheus-text-parser.js';

const root = mkdtempSync(join(tmpdir(), 'nova-health-serve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The environment minus the machine's Nova settings, so the run is hermetic. */
function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NOVA_|POSTGRES_|MONGODB_|REDIS_|SQLITE_)/.test(k)) env[k] = v;
  }
  return { ...env, NOVA_PROFILE: 'embedded', NOVA_LOG_LEVEL: 'error' };
}

describe('nova-db serve', () => {
  it('serves /health and /metrics from its health monitor, then stops on a signal', async () => {
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    let stdout = '';
    let stderr = '';
    let announce: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => (announce = resolve));
    const exit = runCli(['serve', '--port', '0', '--json', '--data-dir', join(root, 'data')], {
      env: cleanEnv(),
      cwd: root,
      stdout: (s) => {
        stdout += s;
        const url = /"url":\s*"([^"]+)"/.exec(stdout)?.[1];
        if (url) announce(url);
      },
      stderr: (s) => void (stderr += s),
      onShutdown: () => ({ stopped, dispose: () => undefined }),
    });
    const url = await Promise.race([
      listening,
      exit.then((code) => {
        throw new Error(`serve exited with ${code}: ${stderr}`);
      }),
    ]);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as HealthJson;
    expect(body.status).toBe('ok');
    expect(body.checks.map((c) => c.id)).toEqual([
      'sqlite',
      'documents',
      'cache',
      'disk',
      'backup',
      'services',
      'restore-test',
      'backup-space',
      'migration',
    ]);
    expect(body.services.every((s) => s.status === 'ok')).toBe(true);
    // The backup taken on first start covers this setup, per service, and was proven restorable.
    const backup = body.checks.find((c) => c.id === 'backup')!;
    expect(backup.detail).toMatch(/^Last verified backup/);
    expect(backup.detail).toContain('covers SQLite (relational data, documents)');
    expect(backup.detail).toContain('In-process cache: cache, not backed up by design');
    expect(body.checks.find((c) => c.id === 'restore-test')!.detail).toMatch(
      /^Last proven restorable at /,
    );

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    const families = parsePrometheusText(text);
    // A second, independent parser (the npm package parse-prometheus-text-format)
    // must read every family with its HELP and TYPE as well.
    const published = parsePrometheusTextFormat(text);
    expect(published.map((f) => f.name).sort()).toEqual([...families.keys()].sort());
    for (const family of published) {
      expect(family.help.length).toBeGreaterThan(0);
      expect(family.type).toMatch(/^(COUNTER|GAUGE|SUMMARY|HISTOGRAM|UNTYPED)$/);
    }
    expect(
      families.get('nova_health_status')!.samples.find((s) => s.labels.status === 'ok')!.value,
    ).toBe(1);
    expect(families.get('nova_sqlite_file_size_bytes')!.samples[0]!.value).toBeGreaterThan(0);
    expect(families.get('nova_health_runs_total')!.samples[0]!.value).toBeGreaterThanOrEqual(1);
    // Data safety, not just liveness.
    expect(families.get('nova_restore_test_ok')!.samples[0]!.value).toBe(1);
    expect(families.get('nova_backup_next_expected_bytes')!.samples[0]!.value).toBeGreaterThan(0);
    expect(families.get('nova_migrations_unfinished')!.samples[0]!.value).toBe(0);

    stop('SIGTERM');
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
