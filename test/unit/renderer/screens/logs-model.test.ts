/** The Logs view-model: unavailable / empty / lines, the level and search filter, and copy/download text. */
import { describe, expect, it } from 'vitest';
import {
  downloadName,
  logText,
  logView,
  type LogEntryView,
} from '../../../../renderer/screens/logs-model.js';

const entries: LogEntryView[] = [
  { level: 'info', text: 'backup started' },
  { level: 'error', text: 'backup FAILED: disk full' },
  { level: 'warn', text: 'slow query' },
  { level: null, text: 'continuation line' },
];

describe('log view', () => {
  it('a service without a log says why', () => {
    expect(
      logView(
        { available: false, reason: 'Runs elsewhere.', entries: [] },
        { level: 'all', search: '' },
        'Redis',
      ),
    ).toEqual({ kind: 'unavailable', reason: 'Runs elsewhere.' });
  });

  it('an empty log', () => {
    expect(logView({ available: true, entries: [] }, { level: 'all', search: '' }, 'Nova')).toEqual(
      {
        kind: 'empty',
      },
    );
  });

  it('filtered lines with their counts, errors and warnings marked', () => {
    const view = logView({ available: true, entries }, { level: 'warn', search: '' }, 'Nova');
    expect(view).toEqual({
      kind: 'lines',
      count: '2 of 4 lines shown',
      label: 'Nova log, 2 lines shown',
      lines: [
        { className: 'log-line-error', text: 'backup FAILED: disk full\n' },
        { className: 'log-line-warn', text: 'slow query\n' },
      ],
      none: false,
    });
  });

  it('search is case-insensitive; no match is said, not an empty box', () => {
    const hit = logView(
      { available: true, entries },
      { level: 'all', search: '  failed ' },
      'Nova',
    );
    expect(hit.kind === 'lines' && hit.lines.map((l) => l.text)).toEqual([
      'backup FAILED: disk full\n',
    ]);
    const miss = logView({ available: true, entries }, { level: 'all', search: 'nothing' }, 'Nova');
    expect(miss).toMatchObject({ kind: 'lines', none: true, count: '0 of 4 lines shown' });
  });

  it('copy and download text; a download name that sorts', () => {
    expect(logText(entries.slice(0, 2), false)).toBe('backup started\nbackup FAILED: disk full');
    expect(logText(entries.slice(0, 2), true)).toBe('backup started\nbackup FAILED: disk full\n');
    expect(downloadName('app', new Date('2026-01-10T12:00:00Z'))).toBe(
      'nova-log-2026-01-10T12-00-00.txt',
    );
    expect(downloadName('redis', new Date('2026-01-10T12:00:00Z'))).toBe(
      'redis-log-2026-01-10T12-00-00.txt',
    );
  });
});
