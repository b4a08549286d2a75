import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, configSchema } from '../../../main/core/config/schema.js';

const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
/** `# KEY=value` lines: the documented, commented-out settings. */
const documented = new Map(
  [...example.matchAll(/^#\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(
    (m) => [m[1]!, m[2]!.trim()] as const,
  ),
);

describe('.env.example', () => {
  it('documents every setting the schema knows', () => {
    expect(CONFIG_KEYS.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('documents no setting the schema does not know', () => {
    expect([...documented.keys()].filter((k) => !(CONFIG_KEYS as string[]).includes(k))).toEqual(
      [],
    );
  });

  it('shows each default exactly as the schema has it (and nothing for settings without one)', () => {
    const defaults = configSchema.parse({ NOVA_DATA_DIR: '/x' }) as Record<string, unknown>;
    for (const key of CONFIG_KEYS) {
      if (key === 'NOVA_DATA_DIR') continue; // the default is per-OS, described in words
      const expected = defaults[key] === undefined ? '' : String(defaults[key]);
      expect(`${key}=${documented.get(key)}`).toBe(`${key}=${expected}`);
    }
  });

  it('leaves every setting commented out, so copying it changes nothing', () => {
    expect(example.match(/^[A-Z][A-Z0-9_]*=/gm)).toBeNull();
  });
});
