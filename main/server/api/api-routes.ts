/**
 * The contract over HTTP: `POST /api/<method>` with the input as a JSON
 * body answers `200 { result }` or an error status with `{ error: { name,
 * code, message, fix? } }` — the same data the IPC bridge returns, produced
 * by the same dispatch(), so the renderer's HTTP client and its IPC client
 * behave identically. Token, host and origin are checked before routing
 * (request-security.ts), so a handler never sees an unauthenticated call.
 */
import type { IncomingMessage } from 'node:http';
import { apiPath, METHOD_NAMES } from '../../../shared-contract/index.js';
import { dispatch, type DispatchLogger, type Handlers } from '../../core/app/dispatch.js';
import { NovaError } from '../../core/errors.js';
import { sendError, sendJson, type Route } from '../router.js';

/** A contract payload is small; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** HTTP status per error code. Domain errors never use 401: that status means "the admin token". */
const STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  CONFIG_INVALID: 400,
  UNSUPPORTED_FILTER: 400,
  CONFIRMATION_REQUIRED: 400,
  NOT_INITIALIZED: 503,
  SERVICE_UNAVAILABLE: 503,
  FAILOVER: 503,
  INTERNAL: 500,
};

export function statusForCode(code: string): number {
  return STATUS[code] ?? 422;
}

export function apiRoutes(handlers: () => Handlers, logger: DispatchLogger): Route[] {
  return METHOD_NAMES.map((method) => ({
    method: 'POST' as const,
    path: apiPath(method),
    handler: async ({ req, res }) => {
      const input = await readJsonBody(req);
      const result = await dispatch(handlers(), method, input, { transport: 'http' }, logger);
      if (result.ok) sendJson(res, 200, { result: result.value });
      else sendError(res, statusForCode(result.error.code), result.error);
    },
  }));
}

/** Reads a JSON body (empty means no arguments). Refuses other content types: a cross-site form cannot send JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
        {
          fix: 'Send only the method input as JSON.',
        },
      );
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  if (type !== 'application/json') {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The request body must be JSON (Content-Type: application/json), not "${type || 'none'}".`,
      {
        fix: 'Send the method input as JSON with Content-Type: application/json.',
      },
    );
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new NovaError('INVALID_ARGUMENT', 'The request body is not valid JSON.', {
      fix: 'Send the method input as a JSON object.',
    });
  }
}
