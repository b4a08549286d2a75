/** A check's numbers as labelled card lines: usages get a meter ratio, unknown keys still show. */
import { describe, expect, it } from 'vitest';
import { metricLines } from '../../../../renderer/screens/dashboard-metrics.js';

describe('metric lines', () => {
  it('pool, disk and cache lines with their ratios; unknown metrics by their name', () => {
    expect(
      metricLines({
        pool_max: 10,
        pool_active: 4,
        pool_idle: 1,
        pool_waiting: 2,
        free_bytes: 256 * 1024 ** 2,
        total_bytes: 1024 ** 3,
        hit_ratio: 0.05,
        queue_depth: 1234,
      }),
    ).toEqual([
      { label: 'Pool usage', value: '4 active, 1 idle of 10, 2 waiting', ratio: 0.5 },
      { label: 'Cache hit rate', value: '5.0 %', ratio: 0.05 },
      { label: 'Free disk', value: '256.0 MiB of 1.0 GiB', ratio: 0.75 },
      { label: 'queue depth', value: '1,234' },
    ]);
  });

  it('no lookups yet instead of a 0 % hit rate; nothing for no metrics', () => {
    expect(metricLines({ hits: 0, misses: 0 })).toEqual([
      { label: 'Cache hit rate', value: 'no lookups yet' },
    ]);
    expect(metricLines(undefined)).toEqual([]);
  });
});
