/**
 * Nova's own recent log lines, kept in memory for the "Service logs" screen:
 * the logger still writes every line where it did before; this only keeps
 * the last few hundred, already redacted, so the UI never shows a secret.
 */
import { redactSecrets } from '../config/redact.js';
import type { LogFields, Logger, LogLevel } from '../logger.js';

/** One remembered line and its level, so the Logs screen can filter without parsing. */
export interface LogEntry {
  level: LogLevel;
  text: string;
}

export class LogRing {
  private readonly entries: LogEntry[] = [];

  constructor(private readonly capacity = 1000) {}

  push(line: string, level: LogLevel = classifyLogLine(line) ?? 'info'): void {
    this.entries.push({ level, text: redactSecrets(line) });
    if (this.entries.length > this.capacity)
      this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** The newest `count` lines, oldest first. */
  tail(count: number): string[] {
    return this.entries.slice(-count).map((e) => e.text);
  }

  /** The newest `count` entries, oldest first. */
  tailEntries(count: number): LogEntry[] {
    return this.entries.slice(-count);
  }
}

/**
 * The level of a line from a server's own log (PostgreSQL `LOG:`/`ERROR:`,
 * Redis `#`/`*`/`-`/`.` markers, mongod JSON `"s":"E"`), or of Nova's own
 * `<time> <level> …` lines; null when the line does not say.
 */
export function classifyLogLine(line: string): LogLevel | null {
  const own = /^\S+ (error|warn|info|debug)\b/.exec(line);
  if (own) return own[1] as LogLevel;
  if (/\b(FATAL|PANIC|ERROR)\b|"s":"[EF]"/.test(line)) return 'error';
  if (/\bWARNING\b|"s":"W"| # /.test(line)) return 'warn';
  if (/\bDEBUG\d?\b|"s":"D\d?"| \. /.test(line)) return 'debug';
  if (/\b(LOG|INFO|NOTICE|HINT|DETAIL|STATEMENT)\b|"s":"I"| \* | - /.test(line)) return 'info';
  return null;
}

/** A logger that writes through `inner` and also records each line in `ring`. */
export function teeLogger(
  inner: Logger,
  ring: LogRing,
  now: () => Date = () => new Date(),
): Logger {
  const order = ['error', 'warn', 'info', 'debug'] as const;
  const record = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (order.indexOf(level) > order.indexOf(inner.level)) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(
            ([k, v]) =>
              ` ${k}=${typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v)}`,
          )
          .join('')
      : '';
    ring.push(`${now().toISOString()} ${level.padEnd(5)} ${message}${extra}`, level);
  };
  return {
    error: (m, f) => (record('error', m, f), inner.error(m, f)),
    warn: (m, f) => (record('warn', m, f), inner.warn(m, f)),
    info: (m, f) => (record('info', m, f), inner.info(m, f)),
    debug: (m, f) => (record('debug', m, f), inner.debug(m, f)),
    setLevel: (level) => inner.setLevel(level),
    get level() {
      return inner.level;
    },
  };
}
