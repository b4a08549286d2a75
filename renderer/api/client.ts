/** The typed API the screens use, built from the method list over any Transport. */
import type { NovaApi } from '../../shared-contract/contract.js';
import { splitMethod } from '../../shared-contract/bridge.js';
import { METHOD_NAMES } from '../../shared-contract/method-names.js';
import { ContractError } from './contract-error.js';
import type { Transport } from './transport.js';

export function createApi(transport: Transport): NovaApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const method of METHOD_NAMES) {
    const [ns, name] = splitMethod(method);
    api[ns] ??= {};
    api[ns][name] = async (input?: unknown) => {
      let result;
      try {
        result = await transport.call(method, input ?? {});
      } catch (err) {
        throw ContractError.from(err);
      }
      if (!result.ok) throw new ContractError(result.error);
      return result.value;
    };
  }
  return api as unknown as NovaApi;
}
