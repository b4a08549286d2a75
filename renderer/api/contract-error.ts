/** An error as the contract carries it; the UI branches on `code` and shows `message` and `fix`. */
import type { ContractErrorData } from '../../shared-contract/errors.js';

export class ContractError extends Error {
  readonly code: string;
  readonly fix: string | undefined;

  constructor(data: ContractErrorData) {
    super(data.message);
    this.name = data.name || 'NovaError';
    this.code = data.code;
    this.fix = data.fix;
  }

  static from(err: unknown): ContractError {
    if (err instanceof ContractError) return err;
    if (isErrorData(err)) return new ContractError(err);
    const message = err instanceof Error ? err.message : String(err);
    return new ContractError({
      name: 'Error',
      code: 'NETWORK',
      message,
      fix: 'Check that Nova is still running, then try again.',
    });
  }
}

function isErrorData(value: unknown): value is ContractErrorData {
  const v = value as Partial<ContractErrorData> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Error) &&
    typeof v.code === 'string' &&
    typeof v.message === 'string'
  );
}
