import type { ServiceHealth } from './types.js';

/**
 * The health of a store that cannot answer: no latency, and either a plain
 * reason (a closed store) or the mapped error's message and fix. Every store
 * reports "down" the same way, so the health checker never sees a half-filled one.
 */
export function downHealth(
  base: Pick<ServiceHealth, 'service' | 'backend'>,
  problem: string | { message: string; fix?: string | undefined },
): ServiceHealth {
  const down = { ...base, status: 'down' as const, latencyMs: null };
  if (typeof problem === 'string') return { ...down, detail: problem };
  return { ...down, detail: problem.message, ...(problem.fix ? { fix: problem.fix } : {}) };
}
