/**
 * Reporting problems the way scripts rely on
 * (docs/ARCHITECTURE.md#stable-interfaces): one line with the reason, one
 * with the fix, even when the underlying error carries a server's log tail
 * (which goes to the debug log instead). Secrets are masked on the way out.
 */
import { redactSecrets } from '../../core/config/redact.js';
import { NovaError, type ErrorData } from '../../core/errors.js';
import type { CliContext } from '../context.js';

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
