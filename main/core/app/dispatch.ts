/**
 * The single entry for every contract call, whatever carried it (IPC from
 * the Electron main process, HTTP in headless mode): the method name is
 * checked against the contract, the payload is validated with its schema
 * BEFORE any handler runs, and the answer is validated on the way out — the
 * output schemas strip anything a handler should not have returned (a stray
 * password field never reaches the renderer). Errors come back as data.
 */
import { redactSecrets } from '../config/redact.js';
import type { z } from 'zod';
import {
  contract,
  isMethodName,
  type CallResult,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from '../../../shared-contract/index.js';
import { NovaError, toErrorData } from '../errors.js';

/** Who is calling; handlers rarely care, logs do. */
export interface CallContext {
  transport: 'ipc' | 'http' | 'test';
}

export type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
  ctx: CallContext,
) => Promise<MethodOutput<M>>;

/** One implementation per contract method. */
export type Handlers = { [M in MethodName]: Handler<M> };

export interface DispatchLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** Validates `rawInput` for `method`; throws INVALID_ARGUMENT naming every problem by its path. */
export function parseInput<M extends MethodName>(method: M, rawInput: unknown): ParsedInput<M> {
  const schema = contract[method].input as unknown as z.ZodType<ParsedInput<M>>;
  // An absent payload means "no arguments", which only methods without required fields accept.
  const result = schema.safeParse(rawInput === undefined || rawInput === null ? {} : rawInput);
  if (result.success) return result.data;
  throw new NovaError(
    'INVALID_ARGUMENT',
    `Invalid input for ${method}: ${describeIssues(result.error)}.`,
    {
      fix: 'Correct the values named above and try again.',
    },
  );
}

/** `urls.postgres: must start with postgres://; file: Invalid input` — paths first, as the admin sees the form. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.map(String).join('.') : 'input';
      // A bad record key (or map element) carries the real reason one level down.
      const nested = (issue as { issues?: { message: string }[] }).issues?.[0];
      return `${where}: ${nested && issue.code === 'invalid_key' ? nested.message : issue.message}`;
    })
    .join('; ');
}

/**
 * Runs one call and always resolves: `{ ok: true, value }` or
 * `{ ok: false, error: { name, code, message, fix? } }`.
 */
export async function dispatch(
  handlers: Handlers,
  method: unknown,
  rawInput: unknown,
  ctx: CallContext,
  logger?: DispatchLogger,
): Promise<CallResult<unknown>> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        name: 'NovaError',
        code: 'INVALID_ARGUMENT',
        message: `Unknown method ${JSON.stringify(String(method)).slice(0, 80)}.`,
        fix: 'Call one of the methods of the shared contract.',
      },
    };
  }
  try {
    const input = parseInput(method, rawInput);
    const handler = handlers[method] as Handler<typeof method>;
    const output = await handler(input as never, ctx);
    return { ok: true, value: checkOutput(method, output) };
  } catch (err) {
    const data = toErrorData(err);
    if (data.code === 'INTERNAL') {
      logger?.error(`${method} failed`, {
        error: data.message,
        stack: err instanceof Error ? err.stack : undefined,
      });
      // An unexpected error is a bug; its message may say too much about internals.
      return {
        ok: false,
        error: {
          name: 'Error',
          code: 'INTERNAL',
          message: `${method} failed unexpectedly; see the Nova log.`,
        },
      };
    }
    logger?.debug(`${method} refused`, { code: data.code, error: data.message });
    // Every error leaving through the contract is redacted here, whatever raised it.
    return {
      ok: false,
      error: {
        ...data,
        message: redactSecrets(data.message),
        ...(data.fix ? { fix: redactSecrets(data.fix) } : {}),
      },
    };
  }
}

function checkOutput(method: MethodName, output: unknown): unknown {
  const result = contract[method].output.safeParse(output);
  if (result.success) return result.data;
  // Logged (in full) by dispatch as an INTERNAL error; the caller sees only that it failed.
  throw new NovaError(
    'INTERNAL',
    `${method} returned a value outside the contract: ${describeIssues(result.error)}`,
  );
}
