/**
 * Entry of the runtime process (see runtime-host.ts). Started by the
 * Electron main process as a utility process (`process.parentPort`), or by
 * Node's child_process.fork (`process.send`). argv[2] is JSON:
 * `{ dataDir?, cwd?, assets? }` — how to load the configuration, and where
 * the install keeps the files the runtime reads (main/core/asset-locations.ts).
 */
import { registerAssetLocations, type AssetLocations } from '../asset-locations.js';
import { createLogger } from '../logger.js';
import {
  runRuntimeHost,
  type HostMessage,
  type HostPort,
  type HostRequest,
} from './runtime-host.js';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentPort(): HostPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      postMessage: (m: HostMessage) => electronPort.postMessage(m),
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data as HostRequest)),
    };
  }
  if (process.send) {
    return {
      postMessage: (m: HostMessage) => void process.send!(m),
      onMessage: (listener) => process.on('message', (m) => listener(m as HostRequest)),
    };
  }
  throw new Error(
    'runtime-host-entry must be started as a utility process or with child_process.fork',
  );
}

const args = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir?: string;
  cwd?: string;
  assets?: AssetLocations;
};
if (args.assets) {
  const assets = args.assets;
  registerAssetLocations(() => assets);
}
const logger = createLogger({});
await runRuntimeHost(
  parentPort(),
  {
    logger,
    configOptions: {
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      ...(args.cwd ? { cwd: args.cwd } : {}),
    },
  },
  logger,
);
// Let the last message reach the parent, then exit: a handle left behind
// (a driver's timer) must not keep a stopped host alive.
setTimeout(() => process.exit(0), 100);
