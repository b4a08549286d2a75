/**
 * Setup speaks in fields (host, port, database, user, password), the
 * configuration in connection URLs. This turns one into the other: a URL is
 * built from the fields the admin filled in — keeping the saved password
 * when the masked password field was left untouched — and a saved URL is
 * shown back as fields without its password. Pure, so it is unit-tested
 * with hostile values (an `@` or `/` in a password, IPv6 hosts).
 */
import type { ServiceNameDto } from '../../../shared-contract/index.js';

export interface ConnectionFields {
  host: string;
  port: number;
  database?: string | undefined;
  user?: string | undefined;
  /** Undefined: keep the password of `saved` (the field was left masked). */
  password?: string | undefined;
}

export interface ShownConnection {
  host: string;
  port: number;
  database?: string;
  user?: string;
  /** A password is saved (it is never sent back). */
  hasPassword: boolean;
}

const SCHEME: Record<ServiceNameDto, string> = {
  postgres: 'postgres:',
  mongo: 'mongodb:',
  redis: 'redis:',
};
export const DEFAULT_PORT: Record<ServiceNameDto, number> = {
  postgres: 5432,
  mongo: 27017,
  redis: 6379,
};

function savedPassword(saved: string | undefined): string {
  if (!saved) return '';
  try {
    return decodeURIComponent(new URL(saved).password);
  } catch {
    return '';
  }
}

/** Whether a saved PostgreSQL URL names no database (the server's default, the user's name). */
function savedWithoutDatabase(saved: string | undefined): boolean {
  if (!saved) return false;
  try {
    return new URL(saved).pathname.replace(/^\//, '') === '';
  } catch {
    return false;
  }
}

/**
 * The URL for `fields`; the saved URL's password is kept when
 * `fields.password` is undefined. An empty PostgreSQL database is "nova",
 * except for a saved server that named none: Setup shows that as an empty
 * field, and saving another change must not move it to "nova".
 */
export function connectionUrl(
  service: ServiceNameDto,
  fields: ConnectionFields,
  saved?: string,
): string {
  const password = fields.password ?? savedPassword(saved);
  const user = fields.user?.trim() ?? '';
  const host = fields.host.trim().includes(':') ? `[${fields.host.trim()}]` : fields.host.trim();
  const auth =
    user || password
      ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@`
      : '';
  const base = `${SCHEME[service]}//${auth}${host}:${fields.port}`;
  if (service === 'postgres') {
    const database = fields.database?.trim() || (savedWithoutDatabase(saved) ? '' : 'nova');
    return database ? `${base}/${encodeURIComponent(database)}` : base;
  }
  // MongoDB users usually live in "admin"; the documents' database is a setting of its own.
  if (service === 'mongo') return `${base}/${user ? '?authSource=admin' : ''}`;
  return base;
}

/** A saved URL as the fields Setup shows (no password); null when it cannot be read. */
export function shownConnection(
  service: ServiceNameDto,
  url: string | undefined,
): ShownConnection | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.hostname.replace(/^\[(.+)\]$/, '$1');
  if (!host) return null;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(u.username);
  return {
    host,
    port: Number(u.port) || DEFAULT_PORT[service],
    ...(service === 'postgres' && database ? { database } : {}),
    ...(user ? { user } : {}),
    hasPassword: u.password !== '',
  };
}
