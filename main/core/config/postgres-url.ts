/**
 * POSTGRES_URL in libpq's URI syntax, including the form with several hosts
 * (`postgres://u:pw@h1:5432,h2:5432/nova?target_session_attrs=read-write`)
 * that replicated and managed PostgreSQL services hand out. `node-postgres`
 * and WHATWG `URL` accept one host only, so this module splits such a URL
 * into its hosts and rebuilds the single-host URL each connection uses.
 * Pure string work: no driver is loaded here (config validation imports it).
 */
import { NovaError } from '../errors.js';
import { redactSecrets } from './redact.js';

/** libpq's `target_session_attrs` values (PostgreSQL 14+ documentation, "Parameter Key Words"). */
export const TARGET_SESSION_ATTRS = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export const LOAD_BALANCE_HOSTS = ['disable', 'random'] as const;
export type LoadBalanceHosts = (typeof LOAD_BALANCE_HOSTS)[number];

export interface PostgresHostPort {
  /** Host name, IP address (IPv6 without brackets) or Unix socket directory. */
  host: string;
  port: number;
}

export interface PostgresUrlParts {
  scheme: 'postgres:' | 'postgresql:';
  /** Every host to try, in the order written. */
  hosts: PostgresHostPort[];
  database: string;
  user: string;
  /** Decoded password of the userinfo, or undefined. */
  password: string | undefined;
  /** The query parameters other than the host-selection ones. */
  params: URLSearchParams;
  /** Which server a session must land on; `any` when the URL does not say. */
  targetSessionAttrs: TargetSessionAttrs;
  /** `random` shuffles the hosts for every new resolution (PostgreSQL 16+ parameter). */
  loadBalanceHosts: LoadBalanceHosts;
  /** The userinfo exactly as written, with its trailing `@` (empty when absent). */
  rawUserinfo: string;
  /** Path, query and fragment as written, without the host-selection parameters. */
  rawRest: string;
}

/** Parameters this module consumes: they choose the host and never reach the driver. */
const HOST_PARAMS = ['host', 'port', 'target_session_attrs', 'load_balance_hosts'];

const URL_FORM = /^(postgres(?:ql)?:)\/\/([^/?#]*)(.*)$/is;

function invalid(url: string, why: string, fix: string, setting: string): NovaError {
  return new NovaError('CONFIG_INVALID', `${setting} ${why}: ${redactSecrets(url)}`, { fix });
}

/** Splits `h1:5432,[::1]:5433,h3` into hosts; a missing port is filled in later. */
function splitHostList(list: string): { host: string; port: string | undefined }[] {
  if (list === '') return [];
  return list.split(',').map((item) => {
    const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(item);
    if (v6) return { host: v6[1]!, port: v6[2] };
    const colon = item.lastIndexOf(':');
    return colon === -1
      ? { host: item, port: undefined }
      : { host: item.slice(0, colon), port: item.slice(colon + 1) };
  });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Reads a libpq URI. Hosts come from the authority (`h1:p1,h2:p2`) or, as in
 * libpq, from `?host=`/`?port=` lists (a single port applies to every host);
 * missing parts default the way `pg` defaults them (PG* variables, then
 * localhost:5432, the user name as database).
 */
export function parsePostgresUrl(url: string, setting = 'POSTGRES_URL'): PostgresUrlParts {
  const form = typeof url === 'string' ? URL_FORM.exec(url.trim()) : null;
  if (!form) {
    throw invalid(
      String(url),
      'must start with postgres:// or postgresql://, got',
      'Use the form postgres://user:password@host:5432/database (several hosts: host1:5432,host2:5432).',
      setting,
    );
  }
  const scheme = form[1]!.toLowerCase() as PostgresUrlParts['scheme'];
  const authority = form[2]!;
  const rest = form[3]!;
  const at = authority.lastIndexOf('@');
  const rawUserinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostList = at === -1 ? authority : authority.slice(at + 1);

  // The rest must parse as a URL path + query; a stand-in host lets WHATWG URL check it.
  let parsed: URL;
  try {
    parsed = new URL(`${scheme}//${rawUserinfo}h${rest}`);
  } catch {
    throw invalid(
      url,
      'is not a valid URL',
      'Use the form postgres://user:password@host:5432/database (percent-encode special characters in the password).',
      setting,
    );
  }
  const params = parsed.searchParams;
  const hostParam = params.get('host');
  const portParam = params.get('port');
  const written = hostParam !== null && hostParam !== '' ? hostParam : decode(hostList);
  let entries = splitHostList(written);
  if (hostParam) entries = entries.map((e) => ({ host: e.host, port: undefined }));
  if (entries.length === 0)
    entries = [{ host: process.env.PGHOST || 'localhost', port: undefined }];
  const paramPorts = portParam ? portParam.split(',') : [];
  if (paramPorts.length > 1 && paramPorts.length !== entries.length) {
    throw invalid(
      url,
      `lists ${entries.length} hosts but ${paramPorts.length} ports`,
      'Give one port per host (host1:5432,host2:5433), or a single port for all of them.',
      setting,
    );
  }
  const hosts = entries.map((e, i): PostgresHostPort => {
    const text =
      e.port || paramPorts[paramPorts.length > 1 ? i : 0] || process.env.PGPORT || '5432';
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
      throw invalid(
        url,
        `has an invalid port "${text}"`,
        'Write each host as host:port with a port between 1 and 65535.',
        setting,
      );
    }
    const host = e.host === '' ? process.env.PGHOST || 'localhost' : e.host;
    return { host, port };
  });

  const attrs = params.get('target_session_attrs') ?? 'any';
  if (!(TARGET_SESSION_ATTRS as readonly string[]).includes(attrs)) {
    throw invalid(
      url,
      `has target_session_attrs=${attrs}, which is not one of ${TARGET_SESSION_ATTRS.join(', ')}`,
      'Use read-write (or primary) for the appliance; read-only, standby and prefer-standby suit read-only use.',
      setting,
    );
  }
  const balance = params.get('load_balance_hosts') ?? 'disable';
  if (!(LOAD_BALANCE_HOSTS as readonly string[]).includes(balance)) {
    throw invalid(
      url,
      `has load_balance_hosts=${balance}, which is not disable or random`,
      'Use load_balance_hosts=disable (try hosts in order) or random.',
      setting,
    );
  }

  const user =
    decode(parsed.username) ||
    process.env.PGUSER ||
    (process.platform === 'win32' ? process.env.USERNAME : process.env.USER) ||
    'postgres';
  const database = decode(parsed.pathname.slice(1)) || process.env.PGDATABASE || user;
  for (const name of HOST_PARAMS) params.delete(name);
  const query = params.toString();
  const rawRest = `${parsed.pathname}${query ? `?${query}` : ''}${parsed.hash}`;
  return {
    scheme,
    hosts,
    database,
    user,
    password: parsed.password === '' ? undefined : decode(parsed.password),
    params,
    targetSessionAttrs: attrs as TargetSessionAttrs,
    loadBalanceHosts: balance as LoadBalanceHosts,
    rawUserinfo,
    rawRest,
  };
}

/** Why `url` is not a usable POSTGRES_URL, or undefined when it is (for config validation). */
export function postgresUrlProblem(url: string): string | undefined {
  if (!URL_FORM.test(url.trim())) return 'must be a URL starting with postgres:// or postgresql://';
  try {
    parsePostgresUrl(url);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // "POSTGRES_URL has …: <url>" → "has …" (the caller names the setting and shows the value).
    return message.replace(/^POSTGRES_URL /, '').replace(/: \S+$/, '');
  }
}

/** True when the URL names several hosts or asks for a kind of server: the store then checks roles and follows failovers. */
export function isHighAvailability(parts: PostgresUrlParts): boolean {
  return parts.hosts.length > 1 || parts.targetSessionAttrs !== 'any';
}

/** `h1:5432`, or `[::1]:5432`, or a socket directory with its port. */
export function hostLabel(h: PostgresHostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

/** Every host, for messages: `h1:5432, h2:5433`. */
export function describeHosts(parts: PostgresUrlParts): string {
  return parts.hosts.map(hostLabel).join(', ');
}

/**
 * The URL `pg` connects with for one of the hosts: same credentials,
 * database and parameters, without the host-selection parameters `pg`
 * does not know. A socket directory travels as `?host=`.
 */
export function postgresUrlForHost(parts: PostgresUrlParts, host: PostgresHostPort): string {
  const socket = host.host.startsWith('/');
  // A socket directory goes in ?host= (which `pg` prefers to the authority); the
  // authority keeps a stand-in, since WHATWG URL refuses credentials without a host.
  const authority = socket
    ? 'localhost'
    : host.host.includes(':')
      ? `[${host.host}]:${host.port}`
      : `${encodeURIComponent(host.host)}:${host.port}`;
  const base = `${parts.scheme}//${parts.rawUserinfo}${authority}${parts.rawRest}`;
  if (!socket) return base;
  const u = new URL(base);
  u.searchParams.set('host', host.host);
  u.searchParams.set('port', String(host.port));
  return u.toString();
}

/** The same URL (every host and parameter kept) with another database, e.g. a scratch database for a trial restore. */
export function postgresUrlWithDatabase(url: string, database: string): string {
  parsePostgresUrl(url);
  const [, scheme, authority, rest] = URL_FORM.exec(url.trim())!;
  // A stand-in host lets WHATWG URL rewrite the path of a multi-host URL.
  const u = new URL(`${scheme!}//h${rest!}`);
  u.pathname = `/${encodeURIComponent(database)}`;
  return `${scheme!}//${authority!}${u.toString().slice(`${scheme!}//h`.length)}`;
}
