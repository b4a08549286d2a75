/**
 * Checks every shipped compose file must pass (docker-compose.yml,
 * docker-compose.prod.yml, docker-compose.ha.yml), shared by their tests.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';

// js-yaml comes with eslint; nothing was installed for these tests.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

/** The parts of a compose service the tests read. */
export type ComposeService = {
  image: string;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
  command?: string[];
  entrypoint?: string[];
  network_mode?: string;
  configs?: { source: string; target: string }[];
};

export type ComposeDoc = {
  name: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  configs?: Record<string, { content: string }>;
};

/** A compose file's text and what YAML makes of it. */
export function loadCompose(file: string): { text: string; doc: ComposeDoc } {
  const text = readFileSync(file, 'utf8');
  return { text, doc: yaml.load(text) as ComposeDoc };
}

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
