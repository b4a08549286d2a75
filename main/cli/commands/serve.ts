/**
 * `nova-db serve [--host H] [--port P] [--rotate-token]` — headless mode
 * (docs/ARCHITECTURE.md#user-interfaces, #stable-interfaces): start the services and the data layer (AppRuntime), serve
 * the admin UI and the token-protected API until SIGINT/SIGTERM, then run
 * the shutdown phase.
 *
 * Registration only; the work is in ../actions/serve.ts (see program.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  rotateToken?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  insecurePublic?: boolean;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run headless: the admin UI, the API, /health and /metrics over HTTP')
    // No commander defaults: an absent flag must let NOVA_HOST/NOVA_PORT,
    // .env and the settings file speak.
    .option('--host <host>', 'address to listen on (default: NOVA_HOST, else 127.0.0.1)')
    .option(
      '--port <port>',
      'port to listen on; 0 picks a free one (default: NOVA_PORT, else 4730)',
      parsePort,
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--insecure-public',
      'allow a non-loopback --host without TLS (only behind a TLS-terminating proxy on a trusted network)',
    )
    .option(
      '--rotate-token',
      'replace the admin token and print a new login link (the old one stops working)',
    )
    .action(async (options: ServeOptions, command: Command) => {
      // Loaded on demand, not at start-up: the runtime, the server and the drivers.
      const { serve } = await import('../actions/serve.js');
      await serve(ctx, command.optsWithGlobals<GlobalOptions & ServeOptions>(), options);
    });
}

/** `--port` accepts 0 (any free port, handy for scripts and tests) on top of NOVA_PORT's 1–65535. */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(
      '--port (NOVA_PORT) must be a whole number from 0 to 65535; 0 picks a free port.',
    );
  }
  return port;
}
