/**
 * Reads `docker compose version` / `docker-compose version`.
 *
 * - Compose v2 and later (Go): `Docker Compose version v2.21.0` (the plugin,
 *   or the standalone binary installed as `docker-compose`); distribution
 *   builds may drop the `v` or add a suffix (`2.20.2+ds1-0ubuntu1`). Compose
 *   jumped from 2.x to 5.x in 2025; it is the same program and the same flags.
 * - Compose v1 (Python, end of life): `docker-compose version 1.29.2, build 5becea4c`.
 */

export interface ComposeVersion {
  /** 'v2' for every Go Compose (2.x and later), 'v1' for the Python docker-compose. */
  generation: 'v2' | 'v1';
  /** e.g. "2.21.0", "1.29.2". */
  version: string;
  major: number;
}

const GO_COMPOSE = /Docker Compose version v?(\d+)\.(\d+)\.(\d+)(\S*)/i;
const PY_COMPOSE = /docker-compose version (\d+)\.(\d+)\.(\d+)([^\s,]*)/i;
const BARE = /^v?(\d+)\.(\d+)\.(\d+)(\S*)$/;

/** Null when the text is not a compose version banner. */
export function parseComposeVersion(stdout: string): ComposeVersion | null {
  const text = stdout.trim();
  const m = GO_COMPOSE.exec(text) ?? PY_COMPOSE.exec(text) ?? BARE.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const version = `${m[1]}.${m[2]}.${m[3]}${m[4] ?? ''}`;
  return { generation: major >= 2 ? 'v2' : 'v1', version, major };
}
