/**
 * Checks every shipped compose file must pass (docker-compose.yml,
 * docker-compose.prod.yml, docker-compose.ha.yml), shared by their tests.
 */
import { expect } from 'vitest';

/** Every `${…PASSWORD…}` is required (`:?`) or falls back to another required variable — never a literal. */
export function checkNoDefaultPassword(text: string): void {
  const refs = [...text.matchAll(/\$\{(\w*PASSWORD\w*)(:?[-?])?/g)];
  expect(refs.length).toBeGreaterThan(0);
  for (const m of refs) {
    const after = text.slice(m.index + m[0].length);
    if (m[2] === ':?' || m[2] === '?') continue;
    expect(m[2], `${m[1]} is neither required nor defaulted to another variable`).toMatch(/^:?-$/);
    expect(after.startsWith('${'), `${m[1]} has a literal default password`).toBe(true);
  }
}
