/**
 * The headless appliance for browser tests, in this process: a fresh data
 * directory, the real AppRuntime (services, data layer, health monitor,
 * tasks) and the real headless server on a free loopback port, serving the
 * renderer built from the current sources.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { createLogger } from '../../../main/core/logger.js';
import {
  startHeadlessServer,
  type HeadlessServer,
} from '../../../main/server/api/headless-server.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface HeadlessApp {
  dataDir: string;
  runtime: AppRuntime;
  server: HeadlessServer;
  logLines: string[];
  stop(): Promise<void>;
}

/** Builds the renderer into a private directory so the test never serves a stale build. */
export async function buildRenderer(outDir: string): Promise<void> {
  await build({
    configFile: path.join(repo, 'renderer', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

export async function startHeadlessApp(options: {
  rendererDir: string;
  healthIntervalMs?: number;
}): Promise<HeadlessApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'nova-e2e-'));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const runtime = await AppRuntime.start({
    mode: 'headless',
    logger,
    // Hermetic: no machine environment, no .env from the checkout.
    configOptions: { dataDir, env: {}, cwd: dataDir },
    health: { intervalMs: options.healthIntervalMs ?? 2_000 },
  });
  const server = await startHeadlessServer({
    runtime,
    host: '127.0.0.1',
    port: 0,
    rendererDir: options.rendererDir,
  });
  return {
    dataDir,
    runtime,
    server,
    logLines,
    stop: async () => {
      await server.close();
      await runtime.shutdown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
