/** What every screen gets: the API, pushed events, and the shell's services. */
import type { z } from 'zod';
import type { NovaApi } from '../shared-contract/contract.js';
import type { NovaEvent } from '../shared-contract/events.js';
import type { appInfoSchema } from '../shared-contract/methods/app.js';
import type { StatusStore } from './status/status-store.js';

export type AppInfo = z.infer<typeof appInfoSchema>;

export interface AppContext {
  api: NovaApi;
  info: AppInfo;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: NovaEvent) => void): () => void;
  /** Says something to screen-reader users (an aria-live region). */
  announce(message: string): void;
  navigate(route: RouteName): void;
  /** Reloads app.info (after the setup changed). */
  refreshInfo(): Promise<void>;
  /** The appliance's status as every screen shows it (one snapshot, status-view.ts). */
  status: StatusStore;
  /** Headless only: store a new admin token (after rotation) and reconnect the event stream. */
  replaceToken?(token: string): void;
}

export const ROUTES = ['dashboard', 'setup', 'migration', 'backups', 'logs', 'settings'] as const;
export type RouteName = (typeof ROUTES)[number];

/** A screen renders into `host` and returns what to undo when it is left (listeners, timers). */
export type Screen = (ctx: AppContext, host: HTMLElement) => (() => void) | void;
