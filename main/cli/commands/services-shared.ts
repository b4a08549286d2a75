/**
 * What `status`, `up`, `down` and `doctor` share: the `--service` option,
 * and reporting problems the way scripts rely on
 * (docs/ARCHITECTURE.md#stable-interfaces) — one line with the reason, one
 * with the fix — even when the underlying error carries a log tail. Their
 * registration imports this module at start-up, so it stays light: reading
 * the configuration is in ../actions/command-config.ts.
 */
import { InvalidArgumentError } from 'commander';
import { redactSecrets } from '../../core/config/redact.js';
import { NovaError, type ErrorData } from '../../core/errors.js';
import type { ServiceReport } from '../../core/services/service-control.js';
import { SERVICE_NAMES, type ServiceName } from '../../core/services/types.js';
import type { CliContext } from '../context.js';

/** `--service postgres|redis|mongo`. */
export function parseServiceName(value: string): ServiceName {
  const name = value.trim().toLowerCase();
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new InvalidArgumentError(`--service must be one of ${SERVICE_NAMES.join(', ')}.`);
}

/** The services a command acts on: the one named by --service, else all (in start order). */
export function selectedServices(service: ServiceName | undefined): ServiceName[] {
  return service ? [service] : [...SERVICE_NAMES];
}

/**
 * A message as one line. Indented lines right after the first are a list
 * belonging to it ("2 settings to fix:" + one line per setting) and are
 * joined with "; "; from the first unindented line on it is a server's log
 * tail, which goes to the debug log (NOVA_LOG_LEVEL=debug) instead.
 */
function oneLineMessage(ctx: CliContext, message: string): string {
  const [head = '', ...rest] = message.split(/\r?\n/);
  const list: string[] = [];
  while (rest.length > 0 && /^\s+\S/.test(rest[0]!)) list.push(rest.shift()!.trim());
  if (rest.some((l) => l.trim() !== '')) ctx.logger.debug(redactSecrets(rest.join('\n')));
  return list.length > 0 ? `${head.trim()} ${list.join('; ')}` : head.trim();
}

/**
 * A NovaError whose message is a single line, so runCli's report is exactly
 * "nova-db: reason" + "fix: …". Non-Nova errors pass through unchanged.
 */
export function toOneLineError(ctx: CliContext, err: unknown): unknown {
  if (!(err instanceof NovaError) || !/\n/.test(err.message)) return err;
  return new NovaError(err.code, oneLineMessage(ctx, err.message), { fix: err.fix, cause: err });
}

/** Writes one "nova-db: …" / "fix: …" pair per problem to stderr. */
export function reportProblems(ctx: CliContext, problems: ErrorData[]): void {
  for (const p of problems) {
    const message = redactSecrets(oneLineMessage(ctx, p.message));
    ctx.stderr(`nova-db: ${message}\n${p.fix ? `fix: ${redactSecrets(p.fix)}\n` : ''}`);
  }
}

/** The same error as data, with a one-line message (for --json output). */
export function oneLineData(ctx: CliContext, e: ErrorData): ErrorData {
  return {
    ...e,
    message: redactSecrets(oneLineMessage(ctx, e.message)),
    ...(e.fix ? { fix: redactSecrets(e.fix) } : {}),
  };
}

/** A plain-text table: columns padded to the widest cell. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Human-readable service reports: a table, then the reason and fix of anything not healthy. */
export function formatServiceReports(reports: ServiceReport[]): string {
  const rows = [
    ['SERVICE', 'PROFILE', 'STATE', 'PORT', 'PID', 'URL'],
    ...reports.map((r) => [
      r.service,
      r.profile,
      r.state,
      r.port !== undefined ? String(r.port) : '-',
      r.pid !== undefined ? String(r.pid) : '-',
      r.url ?? '-',
    ]),
  ];
  const notes = reports.flatMap((r) =>
    r.reason && r.state !== 'healthy'
      ? [`${r.service}: ${r.reason}`, ...(r.fix ? [`  fix: ${r.fix}`] : [])]
      : [],
  );
  return `${table(rows)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}
