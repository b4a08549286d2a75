/**
 * Reads `docker compose ps --format json` and turns a container's State and
 * Health into the appliance's ServiceState.
 *
 * The output has two shapes in the wild and both must be read:
 * - Compose < 2.21 prints ONE JSON array: `[{"ID":…,"Health":""},…]`;
 * - Compose ≥ 2.21 (docker/compose#10918) prints one JSON object per line,
 *   like `docker ps --format json`, and nothing at all when no container exists.
 */
import { NovaError } from '../../errors.js';
import type { ServiceState } from '../types.js';

/** A published port of a container. */
export interface PortPublisher {
  /** Host address the port is bound to ("127.0.0.1", "0.0.0.0", "::", or "" when not published). */
  url: string;
  targetPort: number;
  /** Host port; 0 when the port is only exposed, not published. */
  publishedPort: number;
  protocol: string;
}

/** One container as `compose ps` reports it (the fields the provider needs). */
export interface ComposeContainer {
  name: string;
  service: string;
  /** Docker container state, lower-case: running, exited, restarting, created, paused, removing, dead. */
  state: string;
  /** Health-check state: healthy, unhealthy, starting, or "" when the image has no health check. */
  health: string;
  exitCode: number;
  /** Human status ("Up 9 minutes (healthy)"); only Compose ≥ 2.21 prints it. */
  status: string | null;
  publishers: PortPublisher[];
}

function unreadable(detail: string): NovaError {
  return new NovaError(
    'INTERNAL',
    `Could not read the output of \`docker compose ps --format json\`: ${detail}.`,
    {
      fix: 'Check that `docker compose version` reports Compose v2 or later; if it does, please report this output as a bug.',
    },
  );
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function toContainer(value: unknown, where: string): ComposeContainer {
  const o = asRecord(value);
  if (!o || typeof o.Service !== 'string' || typeof o.State !== 'string') {
    throw unreadable(`${where} is not a container entry (it has no "Service" and "State")`);
  }
  const publishers = Array.isArray(o.Publishers) ? o.Publishers : [];
  return {
    name: str(o.Name),
    service: o.Service,
    // compose-cli (the pre-2.0 Go rewrite) printed "Running"; Compose prints "running".
    state: o.State.toLowerCase(),
    health: str(o.Health).toLowerCase(),
    exitCode: num(o.ExitCode),
    status: typeof o.Status === 'string' ? o.Status : null,
    publishers: publishers.flatMap((p) => {
      const r = asRecord(p);
      return r
        ? [
            {
              url: str(r.URL),
              targetPort: num(r.TargetPort),
              publishedPort: num(r.PublishedPort),
              protocol: str(r.Protocol),
            },
          ]
        : [];
    }),
  };
}

/** Parses either output shape; an empty output means "no containers". */
export function parseComposePs(stdout: string): ComposeContainer[] {
  const text = stdout.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw unreadable(`the JSON array does not parse (${(err as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw unreadable('expected a JSON array');
    return parsed.map((item, i) => toContainer(item, `array element ${i + 1}`));
  }
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, n }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw unreadable(`line ${n} is not JSON ("${line.slice(0, 80)}")`);
      }
      return toContainer(parsed, `line ${n}`);
    });
}

/** A ServiceState with the reason a person would want to see. */
export interface ContainerAssessment {
  state: ServiceState;
  reason?: string;
  fix?: string;
}

// Exit codes of a deliberate stop: 0 (clean shutdown on SIGTERM) and 143 (128 + SIGTERM).
const CLEAN_STOP_CODES = new Set([0, 143]);

/**
 * Maps a container to the service state machine (types.ts). A container with
 * no health check is taken as healthy once running — the best Docker can say;
 * nova-db's own compose files give every database a health check.
 */
export function assessContainer(c: ComposeContainer, logHint: string): ContainerAssessment {
  const status = c.status ? ` (${c.status})` : '';
  switch (c.state) {
    case 'running':
      if (c.health === 'healthy' || c.health === '') return { state: 'healthy' };
      if (c.health === 'starting') return { state: 'starting' };
      if (c.health === 'unhealthy') {
        return {
          state: 'degraded',
          reason: `its container is running but the health check is failing${status}`,
          fix: `Look at the server's log (${logHint}) for the cause.`,
        };
      }
      return { state: 'degraded', reason: `unknown health state "${c.health}"${status}` };
    case 'created':
      return { state: 'starting' };
    case 'restarting':
      return {
        state: 'degraded',
        reason: `its container keeps restarting${status}`,
        fix: `The server crashes on start; look at its log (${logHint}).`,
      };
    case 'paused':
      return {
        state: 'degraded',
        reason: 'its container is paused',
        fix: `Resume it with \`docker compose -p nova-db unpause ${c.service}\`.`,
      };
    case 'removing':
      return { state: 'stopping' };
    case 'exited':
      if (CLEAN_STOP_CODES.has(c.exitCode)) return { state: 'stopped' };
      return {
        state: 'failed',
        reason: `its container exited with code ${c.exitCode}${status}`,
        fix: `Look at the server's log (${logHint}) for why it stopped, then start it again.`,
      };
    case 'dead':
      return {
        state: 'failed',
        reason: 'its container is dead (Docker could not stop or remove it cleanly)',
        fix: 'Restart Docker, then start the service again.',
      };
    default:
      return {
        state: 'failed',
        reason: `its container is in an unknown state "${c.state}"${status}`,
      };
  }
}

/** The host port a container publishes for `targetPort`, preferring a loopback binding. */
export function publishedPort(c: ComposeContainer, targetPort: number): number | null {
  const candidates = c.publishers.filter((p) => p.targetPort === targetPort && p.publishedPort > 0);
  const loopback = candidates.find((p) => p.url === '127.0.0.1' || p.url === '::1');
  return (loopback ?? candidates[0])?.publishedPort ?? null;
}
