/**
 * Errors cross every boundary as data (docs/ARCHITECTURE.md#errors-as-data): the renderer
 * gets `{ name, code, message, fix? }` from IPC and HTTP alike and branches
 * on `code`, never on the message text.
 */
import { z } from 'zod';

export const errorDataSchema = z.object({
  name: z.string(),
  /** Stable code such as PORT_IN_USE, AUTH_FAILED, NOT_SQLITE (main/core/errors.ts). */
  code: z.string(),
  message: z.string(),
  /** What a person can do about it, when known. */
  fix: z.string().optional(),
});
export type ContractErrorData = z.infer<typeof errorDataSchema>;

/** What every call returns across IPC: the value, or the error as data. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ContractErrorData };
