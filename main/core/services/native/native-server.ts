/**
 * What each native server (PostgreSQL, Redis, MongoDB) offers the
 * NativeProvider and the Supervisor. One class per program keeps the
 * program-specific knowledge (command lines, config files, readiness) in one
 * file; the provider only dispatches.
 */
import type { ServiceEndpoint, ServiceName, ServiceStatus } from '../types.js';

/** Emitted when a server process we own exits without being asked to. */
export interface UnexpectedExit {
  service: ServiceName;
  pid: number;
  exitCode: number | null;
  signal: string | null;
}

export interface NativeServer {
  readonly service: ServiceName;
  /** Starts the server, or adopts the one a previous run left running on our data. */
  start(): Promise<ServiceEndpoint>;
  /** Stops it and waits for the process to be gone. */
  stop(): Promise<void>;
  status(): Promise<ServiceStatus>;
  logs(lines: number): Promise<string[]>;
  /** Pid of the running server, when known. */
  pid(): number | undefined;
  /** Alive and answering its handshake (with our credentials)? A reason when not. */
  check(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Subscribes to unexpected exits of a child we spawned (not every server has one). Returns an unsubscribe. */
  onUnexpectedExit?(listener: (exit: UnexpectedExit) => void): () => void;
}

/** Where a native server keeps its files, all under `<dataDir>/services/<service>/`. */
export interface ServerPaths {
  base: string;
  data: string;
  log: string;
}
