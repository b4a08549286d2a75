/**
 * The IPC side of the contract: one `ipcMain.handle` per method (never a
 * generic channel). Every call is checked in this order, and stops at the
 * first failure:
 *
 * 1. the sender is our window's main frame showing the bundled renderer —
 *    not an iframe, not a page that navigated elsewhere;
 * 2. the payload passes the method's zod schema;
 * 3. only then is the method run — by a desktop-only handler here, or
 *    forwarded to the runtime process.
 *
 * Answers are CallResults (errors as data), because an Error thrown across
 * IPC reaches the renderer as "Error invoking remote method …" without its
 * code.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  ipcChannel,
  METHOD_NAMES,
  type CallResult,
  type MethodName,
} from '../../shared-contract/index.js';
import { parseInput } from '../core/app/dispatch.js';
import { toErrorData } from '../core/errors.js';
import { isAppUrl } from './security.js';

export interface IpcOptions {
  /** The window whose renderer may call; read per call (the window may be re-created). */
  trustedContents: () => WebContents | null;
  /** Runs a validated call in the runtime process. */
  forward: (method: MethodName, input: unknown) => Promise<CallResult<unknown>>;
  /** Methods main answers itself (desktop-only: start at login). Input is already validated. */
  local?: Partial<Record<MethodName, (input: unknown) => Promise<unknown>>>;
  logger: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** Whether an IPC call comes from the main frame of our window showing app://nova. */
export function isTrustedSender(event: IpcMainInvokeEvent, trusted: WebContents | null): boolean {
  if (!trusted || event.sender !== trusted) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

export function registerIpcHandlers(options: IpcOptions): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), (event, rawInput: unknown) =>
      handleCall(options, method, event, rawInput),
    );
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
  };
}

async function handleCall(
  options: IpcOptions,
  method: MethodName,
  event: IpcMainInvokeEvent,
  rawInput: unknown,
): Promise<CallResult<unknown>> {
  if (!isTrustedSender(event, options.trustedContents())) {
    options.logger.warn('refused an IPC call from an untrusted sender', {
      method,
      url: event.senderFrame?.url,
    });
    return {
      ok: false,
      error: {
        name: 'NovaError',
        code: 'AUTH_FAILED',
        message: 'This page may not call Nova.',
        fix: 'Use the Nova DB window.',
      },
    };
  }
  let input: unknown;
  try {
    input = parseInput(method, rawInput);
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
  const local = options.local?.[method];
  if (local) {
    try {
      return { ok: true, value: await local(input) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  }
  return options.forward(method, input);
}
