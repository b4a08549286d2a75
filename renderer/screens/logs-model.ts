/**
 * Which log lines the Logs screen shows: by level (each level includes the
 * more severe ones) and by search text, case-insensitive. Pure.
 */
export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';
export interface LogEntryView {
  level: LogLevelName | null;
  text: string;
}

export const LEVEL_FILTERS: { value: LogLevelName | 'all'; label: string }[] = [
  { value: 'all', label: 'All lines' },
  { value: 'error', label: 'Errors only' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'info', label: 'Normal and above' },
];

const RANK: Record<LogLevelName, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function filterLog(
  entries: LogEntryView[],
  level: LogLevelName | 'all',
  search: string,
): LogEntryView[] {
  const needle = search.trim().toLowerCase();
  return entries.filter(
    (e) =>
      (level === 'all' || (e.level !== null && RANK[e.level] <= RANK[level])) &&
      (needle === '' || e.text.toLowerCase().includes(needle)),
  );
}

/** `nova-log-2026-01-10T12-00-00.txt`: a file name that sorts and is valid everywhere. */
export function downloadName(source: string, now: Date): string {
  return `${source === 'app' ? 'nova' : source}-log-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.txt`;
}
