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

/** What the log area shows for the entries loaded and the filter chosen. */
export type LogView =
  | { kind: 'unavailable'; reason: string | undefined }
  | { kind: 'empty' }
  | {
      kind: 'lines';
      /** "12 of 500 lines shown". */
      count: string;
      /** How screen readers name the log box. */
      label: string;
      lines: { className: string; text: string }[];
      /** Nothing matches the level and search. */
      none: boolean;
    };

export function logView(
  log: { available: boolean; reason?: string | undefined; entries: LogEntryView[] },
  filter: { level: LogLevelName | 'all'; search: string },
  sourceLabel: string,
): LogView {
  if (!log.available) return { kind: 'unavailable', reason: log.reason };
  if (log.entries.length === 0) return { kind: 'empty' };
  const visible = filterLog(log.entries, filter.level, filter.search);
  return {
    kind: 'lines',
    count: `${visible.length} of ${log.entries.length} lines shown`,
    label: `${sourceLabel} log, ${visible.length} lines shown`,
    lines: visible.map((e) => ({
      className: e.level === 'error' || e.level === 'warn' ? `log-line-${e.level}` : '',
      text: `${e.text}\n`,
    })),
    none: visible.length === 0,
  };
}

/** The lines shown, as copied or downloaded: one per line (a download ends with a newline). */
export function logText(shown: LogEntryView[], forFile: boolean): string {
  const text = shown.map((e) => e.text).join('\n');
  return forFile ? `${text}\n` : text;
}
