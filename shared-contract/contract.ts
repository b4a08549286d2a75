/**
 * The one contract between the renderer and main (docs/ARCHITECTURE.md#one-contract):
 * every method's input and output as zod schemas. Main (IPC) and the
 * headless server (HTTP) validate every input with these before any handler
 * runs; the renderer's types come from the same schemas, so it cannot tell
 * which of the two it is talking to.
 */
import type { z } from 'zod';
import { appMethods } from './methods/app.js';
import { backupsMethods } from './methods/backups.js';
import { healthMethods } from './methods/health.js';
import { migrationMethods } from './methods/migration.js';
import { migrationWizardMethods } from './methods/migration-wizard.js';
import { servicesMethods } from './methods/services.js';
import { settingsMethods } from './methods/settings.js';
import { setupMethods } from './methods/setup.js';
import { tasksMethods } from './methods/tasks.js';
import type { MethodName } from './method-names.js';

/** One method: what the caller sends, what it gets back. */
export interface MethodSpec {
  input: z.ZodType;
  output: z.ZodType;
}

export const contract = {
  ...appMethods,
  ...setupMethods,
  ...servicesMethods,
  ...healthMethods,
  ...tasksMethods,
  ...migrationMethods,
  ...migrationWizardMethods,
  ...backupsMethods,
  ...settingsMethods,
} as const satisfies Record<MethodName, MethodSpec>;

export type Contract = typeof contract;

// Both directions: no schema without a name in METHOD_NAMES, no name without a schema.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const namesMatch: Exact<keyof Contract, MethodName> = true;
void namesMatch;

/** What a caller passes (defaults not yet applied). */
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
/** What a handler receives: validated, defaults applied. */
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export type Namespace = MethodName extends `${infer N}.${string}` ? N : never;

/** Whether a method can be called without an argument. */
type ArgOf<M extends MethodName> =
  Record<never, never> extends MethodInput<M> ? [input?: MethodInput<M>] : [input: MethodInput<M>];

/**
 * The API as the renderer uses it: `api.migration.inspect({ file })`. The
 * preload and the HTTP client both produce this shape; every function
 * rejects with a ContractError carrying `{ name, code, message, fix }`.
 */
export type NovaApi = {
  [N in Namespace]: {
    [M in MethodName as M extends `${N}.${infer K}` ? K : never]: (
      ...args: ArgOf<M>
    ) => Promise<MethodOutput<M>>;
  };
};
