/**
 * `nova-db serve [--host H] [--port P]` — headless mode (SPEC §8, §11):
 * load the configuration, open the data layer (which applies pending schema
 * migrations), serve HTTP until SIGINT/SIGTERM, then close both cleanly.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../core/config/load-config.js';
import { serviceProfiles } from '../../core/config/schema.js';
import { HealthMonitor } from '../../core/health/monitor.js';
import { checkersForFactory } from '../../core/health/standard-checkers.js';
import { healthFromMonitor, healthRoutes } from '../../server/health-routes.js';
import { startHttpServer } from '../../server/http-server.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

interface ServeOptions {
  host?: string;
  port?: number;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'run headless: serve GET /health and /metrics (and later the admin UI and API) over HTTP',
    )
    // No commander defaults: an absent flag must let NOVA_HOST/NOVA_PORT,
    // .env and the settings file speak.
    .option('--host <host>', 'address to listen on (default: NOVA_HOST, else 127.0.0.1)')
    .option(
      '--port <port>',
      'port to listen on; 0 picks a free one (default: NOVA_PORT, else 4730)',
      parsePort,
    )
    .action(async (options: ServeOptions, command: Command) => {
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

async function serve(
  ctx: CliContext,
  globals: GlobalOptions,
  options: ServeOptions,
): Promise<void> {
  const shutdown = ctx.onShutdown();
  try {
    await serveUntilStopped(ctx, globals, options, shutdown.stopped);
  } finally {
    shutdown.dispose();
  }
}

async function serveUntilStopped(
  ctx: CliContext,
  globals: GlobalOptions,
  options: ServeOptions,
  stopRequested: Promise<string>,
): Promise<void> {
  const { logger } = ctx;

  const { config, warnings } = await loadConfig({
    ...(globals.dataDir !== undefined ? { dataDir: globals.dataDir } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    // --port 0 is not a valid NOVA_PORT; it only changes where we listen.
    overrides: {
      NOVA_HOST: options.host,
      NOVA_PORT: options.port === 0 ? undefined : options.port,
    },
    flagNames: { NOVA_HOST: '--host', NOVA_PORT: '--port' },
  });
  logger.setLevel(config.NOVA_LOG_LEVEL);
  for (const warning of warnings) logger.warn(warning);

  const profiles = serviceProfiles(config);
  logger.info('opening the data layer', { dataDir: config.NOVA_DATA_DIR, ...profiles });
  // Loaded on demand: the drivers behind it (pg, mongodb, ioredis) are only
  // worth their start-up cost for commands that open the data layer.
  const { DatabaseFactory } = await import('../../core/stores/database-factory.js');
  const factory = new DatabaseFactory(config);
  await factory.initialize();

  // Checks run on an interval in the background; /health and /metrics serve
  // the latest run, and the first run completes before we start listening.
  const checkers = checkersForFactory(factory, { dataDir: config.NOVA_DATA_DIR });
  const monitor = new HealthMonitor(checkers, { logger });
  monitor.on('transition', (t) =>
    logger.info(`health ${t.from} -> ${t.to}`, { reasons: t.reasons.map((r) => r.message) }),
  );
  monitor.start();

  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    await monitor.current();
    server = await startHttpServer({
      host: config.NOVA_HOST,
      port: options.port === 0 ? 0 : config.NOVA_PORT,
      health: healthFromMonitor(monitor),
      routes: healthRoutes(monitor),
      logger,
    });
  } catch (err) {
    await monitor.stop();
    await factory.close().catch(() => undefined);
    throw err;
  }
  if (!isLoopback(config.NOVA_HOST)) {
    logger.warn(
      `listening on ${config.NOVA_HOST}, which other machines can reach; bind to 127.0.0.1 unless that is intended`,
    );
  }
  logger.info(`Nova DB is serving on ${server.url}`, {
    health: `${server.url}/health`,
    metrics: `${server.url}/metrics`,
  });
  if (globals.json === true) printJson(ctx, { url: server.url, dataDir: config.NOVA_DATA_DIR });

  const signal = await stopRequested;
  logger.info(`received ${signal}, stopping`);
  // Stop taking requests first so none arrives at a closed data layer.
  await server.close();
  await monitor.stop();
  await factory.close();
  logger.info('stopped');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
