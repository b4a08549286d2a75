/**
 * The pieces of `nova-db migrate` that need no server: option parsing, the
 * rules for combining options, the progress line, and the job directory a
 * source gets by default.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  combinationProblem,
  parseBatchSize,
  parseTargets,
} from '../../../main/cli/commands/migrate.js';
import {
  formatSeconds,
  ProgressView,
  renderLine,
} from '../../../main/cli/views/migrate-progress.js';
import { chooseTargets, defaultJobDir } from '../../../main/core/migrate/run/job-setup.js';
import type { ResolvedPlan } from '../../../main/core/migrate/resolved-plan.js';
import type { TaskProgress } from '../../../main/core/tasks/task.js';

const p = (over: Partial<TaskProgress>): TaskProgress => ({
  phase: 'load',
  done: 0,
  total: null,
  rate: null,
  etaSeconds: null,
  ...over,
});

describe('migrate options', () => {
  it('--target takes postgres, mongo or both; anything else is a usage error', () => {
    expect(parseTargets('postgres')).toEqual(['postgres']);
    expect(parseTargets(' mongo , postgres,mongo ')).toEqual(['mongo', 'postgres']);
    expect(() => parseTargets('mysql')).toThrow(InvalidArgumentError);
    expect(() => parseTargets(',')).toThrow(/--target takes/);
  });

  it('--batch-size is a whole number from 1 to 1,000,000', () => {
    expect(parseBatchSize('5000')).toBe(5000);
    for (const bad of ['0', '-1', '1.5', 'many', '1000001'])
      expect(() => parseBatchSize(bad)).toThrow(InvalidArgumentError);
  });

  it('refuses combinations that make no sense, and says why', () => {
    expect(combinationProblem({ source: 'a' })).toBeNull();
    expect(combinationProblem({ applyRejects: 'r.jsonl' })).toBeNull();
    expect(combinationProblem({})).toMatch(/needs --source FILE/);
    expect(combinationProblem({ applyRejects: 'r', source: 'a', resume: true })).toMatch(
      /--apply-rejects cannot be combined with --source, --resume/,
    );
    expect(combinationProblem({ source: 'a', dryRun: true, resume: true })).toMatch(
      /nothing to resume/,
    );
  });

  it('the job directory of a source is stable and its own', () => {
    expect(defaultJobDir('/data', '/srv/a/log.sqlite')).toBe(
      defaultJobDir('/data', '/srv/a/log.sqlite'),
    );
    expect(defaultJobDir('/data', '/srv/a/log.sqlite')).not.toBe(
      defaultJobDir('/data', '/srv/b/log.sqlite'),
    );
    expect(defaultJobDir('/data', '/srv/a/log.sqlite')).toMatch(
      /^\/data\/migrations\/log_sqlite-[0-9a-f]{10}$/,
    );
  });

  it('targets: what the plan needs by default; a plan table whose target is not selected is refused', () => {
    const plan = {
      name: 'p',
      tables: [
        { source: 'events', target: { kind: 'mongo' } },
        { source: 'users', target: { kind: 'postgres' } },
      ],
    } as unknown as ResolvedPlan;
    expect(chooseTargets(plan).sort()).toEqual(['mongo', 'postgres']);
    expect(() => chooseTargets(plan, ['postgres'])).toThrow(
      /loads "events" into mongo, but --target is postgres/,
    );
    expect(() => chooseTargets(plan, ['sqlserver'])).toThrow(
      /Unknown migration target "sqlserver"/,
    );
    expect(chooseTargets({ name: 'empty', tables: [] } as unknown as ResolvedPlan)).toEqual([
      'postgres',
    ]);
  });
});

describe('migrate progress', () => {
  it('renders phase, table, bar, rows, rate and ETA', () => {
    const line = renderLine(
      p({ item: 'logs', done: 540_000, total: 1_000_000, rate: 98_000, etaSeconds: 4.7 }),
    );
    expect(line).toBe(
      `load logs  [${'█'.repeat(13)}${'░'.repeat(11)}]   54%  540,000/1,000,000  98,000 rows/s  ETA 5s`,
    );
    expect(renderLine(p({ phase: 'snapshot' }))).toBe('snapshot');
    expect(formatSeconds(75)).toBe('1m15s');
    expect(formatSeconds(3 * 3600 + 120)).toBe('3h02m');
  });

  it('redraws in place on a TTY, and logs one line per phase or table otherwise', () => {
    let out = '';
    let now = 0;
    const tty = new ProgressView(
      (s) => (out += s),
      true,
      () => undefined,
      () => now,
    );
    tty.update(p({ item: 'users', done: 1, total: 10 }));
    now += 10;
    tty.update(p({ item: 'users', done: 2, total: 10 })); // throttled
    now += 200;
    tty.update(p({ item: 'users', done: 3, total: 10 }));
    tty.update(p({ item: 'logs', done: 0, total: 5 }));
    // Back to a table already shown (two load at once): throttled like one table, then
    // redrawn in place, no new line.
    tty.update(p({ item: 'users', done: 4, total: 10 }));
    now += 200;
    tty.update(p({ item: 'users', done: 5, total: 10 }));
    tty.finish();
    expect(out.split('\r\u001b[2K')).toHaveLength(5);
    expect(out).toContain('\n\r\x1b[2Kload logs');
    expect(out.split('\n')).toHaveLength(3); // users, logs, and the final newline
    expect(out.endsWith('\n')).toBe(true);

    const lines: string[] = [];
    const plain = new ProgressView(
      () => undefined,
      false,
      (l) => lines.push(l),
    );
    plain.update(p({ item: 'users', done: 1, total: 10 }));
    plain.update(p({ item: 'users', done: 5, total: 10 }));
    plain.update(p({ item: 'logs', done: 0, total: 5 }));
    plain.update(p({ item: 'users', done: 10, total: 10 }));
    plain.update(p({ phase: 'indexes', item: 'users' }));
    expect(lines).toEqual([
      'migrate: load users (10 rows)',
      'migrate: load logs (5 rows)',
      'migrate: indexes users',
    ]);
  });
});
