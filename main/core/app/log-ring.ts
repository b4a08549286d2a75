/**
 * Nova's own recent log lines, kept in memory for the "Service logs" screen:
 * the logger still writes every line where it did before; this only keeps
 * the last few hundred, already redacted, so the UI never shows a secret.
 */
import { redactSecrets } from '../config/redact.js';
import type { LogFields, Logger, LogLevel } from '../logger.js';

export class LogRing {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 1000) {}

  push(line: string): void {
    this.lines.push(redactSecrets(line));
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The newest `count` lines, oldest first. */
  tail(count: number): string[] {
    return this.lines.slice(-count);
  }
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
    ring.push(`${now().toISOString()} ${level.padEnd(5)} ${message}${extra}`);
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
