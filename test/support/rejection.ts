import { expect } from 'vitest';
import { NovaError } from '../../main/core/errors.js';

/** The NovaError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<NovaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NovaError);
  return err as NovaError;
}

/** The NovaError `fn` throws; fails the test when it returns or throws anything else. */
export function thrown(fn: () => unknown): NovaError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NovaError);
  return err as NovaError;
}
