/**
 * A deliberately small logger: levelled lines on stderr (stdout belongs to
 * `--json` output), every line passed through secret redaction so a
 * connection URL or `password=` pair can never reach a log file.
 */
import { redactSecrets } from './config/redact.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured context printed after the message as `key=value` pairs. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Changes the threshold, e.g. once the configuration (NOVA_LOG_LEVEL) is loaded. */
  setLevel(level: LogLevel): void;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  /** Threshold; defaults to NOVA_LOG_LEVEL from `env`, else `info`. */
  level?: LogLevel;
  env?: Record<string, string | undefined>;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = (options.env ?? process.env).NOVA_LOG_LEVEL?.toLowerCase();
  let level: LogLevel = options.level ?? (isLogLevel(envLevel) ? envLevel : 'info');
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? (() => new Date());

  const log = (at: LogLevel, message: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(at) > LOG_LEVELS.indexOf(level)) return;
    const extra = fields ? formatFields(fields) : '';
    write(redactSecrets(`${now().toISOString()} ${at.padEnd(5)} ${message}${extra}`) + '\n');
  };

  return {
    error: (m, f) => log('error', m, f),
    warn: (m, f) => log('warn', m, f),
    info: (m, f) => log('info', m, f),
    debug: (m, f) => log('debug', m, f),
    setLevel: (l) => {
      level = l;
    },
    get level() {
      return level;
    },
  };
}

function formatFields(fields: LogFields): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
      // Quote values with spaces so the line stays splittable on whitespace.
      return `${k}=${/[\s"]/.test(text ?? '') ? JSON.stringify(text) : text}`;
    });
  return parts.length ? ` ${parts.join(' ')}` : '';
}
