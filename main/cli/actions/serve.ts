/**
 * What `nova-db serve` does once parsed (registered in ../commands/serve.ts):
 * start the AppRuntime (services, data layer, health, tasks), put the
 * headless server in front of it, print the login link when the token is
 * new, and on SIGINT/SIGTERM stop taking requests before the runtime's
 * shutdown phase. `--rotate-token` beside a running server asks that server
 * to rotate instead of starting a second one.
 */
import type { ServeOptions } from '../commands/serve.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

export async function serve(
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
  // Before any service starts: an engine built for another runtime is
  // reported as such (cause and fix), not as a crash halfway through start-up.
  const { checkSqliteEngine } = await import('../../core/sqlite-engine-check.js');
  const { cliEngineHost } = await import('../../core/sqlite-engine-error.js');
  const engineProblem = checkSqliteEngine(cliEngineHost());
  if (engineProblem) throw engineProblem;
  const configOptions = {
    ...(globals.dataDir !== undefined ? { dataDir: globals.dataDir } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    // --port 0 is not a valid NOVA_PORT; it only changes where we listen.
    overrides: {
      NOVA_HOST: options.host,
      NOVA_PORT: options.port === 0 ? undefined : options.port,
    },
    flagNames: { NOVA_HOST: '--host', NOVA_PORT: '--port' },
  };
  // A server already running on this data dir is the one to rotate: a second
  // server would be refused by the data dir's lock anyway.
  if (options.rotateToken === true) {
    const { loadConfig } = await import('../../core/config/load-config.js');
    const { rotateOnRunningServer } = await import('./rotate-running.js');
    const dataDir = (await loadConfig(configOptions)).config.NOVA_DATA_DIR;
    const rotated = await rotateOnRunningServer(dataDir);
    if (rotated) {
      const { owner, token } = rotated;
      ctx.stderr(
        `\nThe running server (pid ${owner.pid}) rotated its admin token: the old one no longer works and its open connections were closed.\n` +
          (owner.url
            ? `Open the admin UI with this login link (shown once; keep it private):\n  ${owner.url}/#token=${encodeURIComponent(token)}\n\n`
            : 'Its login link is the server address followed by /#token= and the token in credentials.json.\n\n'),
      );
      if (globals.json === true) printJson(ctx, { rotated: true, pid: owner.pid, url: owner.url });
      return;
    }
  }

  // Loaded on demand: the runtime pulls in the drivers (pg, mongodb, ioredis).
  const { AppRuntime } = await import('../../core/app/app-runtime.js');
  const { startHeadlessServer } = await import('../../server/api/headless-server.js');

  // The runtime owns the configuration, the services, the data layer (which
  // applies pending schema migrations), the health monitor and the tasks; the
  // server puts the admin UI, the API, /health and /metrics in front of it.
  const runtime = await AppRuntime.start({
    mode: 'headless',
    logger,
    configOptions,
  });
  const { config } = runtime;
  runtime.on('event', (event) => {
    if (event.type === 'health-transition')
      logger.info(`health ${event.from} -> ${event.to}`, {
        reasons: event.reasons.map((r) => r.message),
      });
  });

  let server: Awaited<ReturnType<typeof startHeadlessServer>>;
  try {
    const { isLoopback } = await import('../../server/loopback.js');
    const { readTlsFiles, requireTlsOffLoopback } = await import('./serve-tls.js');
    const tls = await readTlsFiles(options.tlsCert, options.tlsKey);
    requireTlsOffLoopback(config.NOVA_HOST, tls !== null, options.insecurePublic === true);
    if (!isLoopback(config.NOVA_HOST)) {
      logger.warn(
        `listening on ${config.NOVA_HOST}, which other machines can reach${tls ? '' : ' WITHOUT TLS (--insecure-public): the admin token crosses the network in clear text unless a TLS proxy is in front'}`,
      );
    }
    if (options.rotateToken === true) await runtime.rotateAdminToken();
    // /health serves the latest run: let the first one complete before listening.
    await runtime.layer.monitor.current();
    server = await startHeadlessServer({
      runtime,
      host: config.NOVA_HOST,
      port: options.port === 0 ? 0 : config.NOVA_PORT,
      ...(tls ? { tls } : {}),
    });
  } catch (err) {
    await runtime.shutdown().catch(() => undefined);
    throw err;
  }
  logger.info(`Nova DB is serving on ${server.url}`, {
    health: `${server.url}/health`,
    metrics: `${server.url}/metrics`,
  });
  // The login link carries the admin token, so it is printed only when the
  // token is new (first start, --rotate-token), straight to stderr: the
  // logger would mask it, and stdout belongs to --json.
  if (runtime.adminTokenCreated || options.rotateToken === true) {
    ctx.stderr(
      `\nOpen the admin UI with this login link (shown once; keep it private):\n  ${server.loginUrl()}\n` +
        'Lost it? Run nova-db serve --rotate-token for a new one.\n\n',
    );
  }
  await runtime.lock.setUrl(server.url);
  const { ROTATE_SIGNAL } = await import('./rotate-running.js');
  // `nova-db serve --rotate-token` run next to this server asks it to rotate (rotate-running.ts).
  const onRotateSignal = () => {
    runtime.rotateAdminToken().catch((err: unknown) =>
      logger.error('could not rotate the admin token', {
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  };
  process.on(ROTATE_SIGNAL, onRotateSignal);
  if (globals.json === true) printJson(ctx, { url: server.url, dataDir: config.NOVA_DATA_DIR });

  const signal = await stopRequested.finally(() => process.off(ROTATE_SIGNAL, onRotateSignal));
  logger.info(`received ${signal}, stopping`);
  // Stop taking requests first so none arrives at a closed data layer; then
  // the shutdown phase: tasks cancelled (checkpointed), pools closed, services stopped.
  await server.close();
  await runtime.shutdown();
}
