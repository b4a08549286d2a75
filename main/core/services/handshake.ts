/**
 * "Is that really PostgreSQL / Redis / MongoDB on this port?" answered with
 * a real protocol exchange, never just an open port (main/core/services/README.md): a port can be
 * held by anything, and mistaking it for a database leads to confusing
 * failures much later. Each probe speaks the first step of the wire
 * protocol, recognises a well-formed reply, and closes. Timeouts are short;
 * a silent or garbage-speaking listener is "port open but not a … server".
 */
import { connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ServiceName } from './types.js';
import { buildHelloMessage, parseOpMsgReply, type HandshakeCommand } from './mongo-wire.js';

export interface ProbeResult {
  /** Something accepted the TCP connection. */
  open: boolean;
  /** It answered the protocol handshake correctly. */
  confirmed: boolean;
  /** Server version, when the handshake reveals it. */
  version?: string;
  /** Human-readable outcome ("PostgreSQL (TLS not offered)", "port open but not a Redis server …"). */
  detail: string;
  /** Redis: the server wants a password, or refused the one given. */
  authRequired?: boolean;
}

export interface ProbeOptions {
  /** Budget for connect + reply (default 1500 ms). */
  timeoutMs?: number;
  /** Redis: authenticate with this password first (lets the probe confirm the password and see the version). */
  password?: string;
  /**
   * Redis/MongoDB behind TLS (`rediss://`, `tls=true`): speak the protocol
   * inside a TLS session. The certificate is NOT verified here — the probe
   * asks "is it Redis/MongoDB?"; the data layer's real connection verifies.
   * (PostgreSQL negotiates TLS in-band, so its probe ignores this.)
   */
  tls?: boolean;
}

export const SERVICE_LABEL: Record<ServiceName, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  mongo: 'MongoDB',
};

/** The port each service listens on unless told otherwise. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  postgres: 5432,
  redis: 6379,
  mongo: 27017,
};

/** Probes `host:port` for `service`. Never throws. */
export async function probeService(
  service: ServiceName,
  host: string,
  port: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  switch (service) {
    case 'postgres':
      return probePostgres(host, port, options);
    case 'redis':
      return probeRedis(host, port, options);
    case 'mongo':
      return probeMongo(host, port, options);
  }
}

/**
 * What a reply parser says about the bytes so far: a verdict, "need more",
 * or "looks complete unless more arrives within `graceMs`" (for protocols
 * where the proof is that nothing else follows).
 */
type Progress = 'done' | 'more' | { graceMs: number };

interface Exchange {
  open: boolean;
  received: Buffer;
  timedOut: boolean;
  error?: string;
}

/** Connects, writes `request`, and collects the reply until `progress` says it is complete. */
function exchange(
  host: string,
  port: number,
  timeoutMs: number,
  request: Buffer,
  progress: (received: Buffer) => Progress,
  tls = false,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = tls
      ? tlsConnect({
          host,
          port,
          rejectUnauthorized: false,
          ...(isIP(host) ? {} : { servername: host }),
        })
      : connect({ host, port });
    let received = Buffer.alloc(0);
    let open = false;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (extra: { error?: string; timedOut?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      socket.destroy();
      resolve({
        open,
        received,
        timedOut: extra.timedOut ?? false,
        ...(extra.error ? { error: extra.error } : {}),
      });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      open = true;
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      clearTimeout(grace);
      const p = progress(received);
      if (p === 'done') finish({});
      else if (p !== 'more') grace = setTimeout(() => finish({}), p.graceMs);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ error: err.code ?? err.message }),
    );
    socket.once('close', () => finish({}));
  });
}

function unreachable(service: ServiceName, r: Exchange): ProbeResult {
  const why = r.timedOut
    ? 'connection timed out'
    : r.error === 'ECONNREFUSED'
      ? 'nothing listening'
      : (r.error ?? 'closed');
  return {
    open: false,
    confirmed: false,
    detail: `${SERVICE_LABEL[service]} not reachable: ${why}`,
  };
}

function impostor(service: ServiceName, why: string): ProbeResult {
  return {
    open: true,
    confirmed: false,
    detail: `port open but not a ${SERVICE_LABEL[service]} server (${why})`,
  };
}

/**
 * PostgreSQL: send an SSLRequest. A server answers exactly one byte — `S`
 * (will do TLS) or `N` (will not) — then waits for the next message, so the
 * proof is one byte followed by silence. Closing after that is quiet on the
 * server side (PostgreSQL does not log an empty startup packet), so probing
 * does not litter the admin's server log the way a StartupMessage with a
 * made-up user would.
 */
export async function probePostgres(
  host: string,
  port: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4); // SSLRequest code
  const r = await exchange(host, port, options.timeoutMs ?? 1500, request, (buf) =>
    buf.length === 1 ? { graceMs: 50 } : 'done',
  );
  if (!r.open) return unreachable('postgres', r);
  if (r.received.length === 0)
    return impostor('postgres', r.timedOut ? 'no reply to SSLRequest' : 'closed without a reply');
  if (r.received.length === 1 && (r.received[0] === 0x53 || r.received[0] === 0x4e)) {
    return {
      open: true,
      confirmed: true,
      detail: r.received[0] === 0x53 ? 'PostgreSQL (offers TLS)' : 'PostgreSQL (TLS not offered)',
    };
  }
  return impostor('postgres', 'unexpected reply to SSLRequest');
}

/** One RESP reply: `+simple`, `-error`, `:int`, `$bulk`; null when incomplete, 'bad' when not RESP. */
type RespReply = { type: '+' | '-' | ':' | '$'; text: string; next: number };

function parseResp(buf: Buffer, at: number): RespReply | null | 'bad' {
  if (at >= buf.length) return null;
  const type = String.fromCharCode(buf[at] ?? 0);
  const eol = buf.indexOf('\r\n', at);
  if (!'+-:$'.includes(type)) return 'bad';
  if (eol === -1) return buf.length - at > 64 * 1024 ? 'bad' : null;
  const line = buf.toString('utf8', at + 1, eol);
  if (type !== '$') return { type: type as '+' | '-' | ':', text: line, next: eol + 2 };
  const len = Number(line);
  if (!Number.isInteger(len) || len < -1) return 'bad';
  if (len === -1) return { type: '$', text: '', next: eol + 2 };
  if (buf.length < eol + 2 + len + 2) return null;
  return { type: '$', text: buf.toString('utf8', eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
}

function parseRespAll(buf: Buffer, want: number): RespReply[] | 'bad' {
  const replies: RespReply[] = [];
  let at = 0;
  while (replies.length < want) {
    const r = parseResp(buf, at);
    if (r === 'bad') return 'bad';
    if (r === null) break;
    replies.push(r);
    at = r.next;
  }
  return replies;
}

function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Redis: pipeline [AUTH password], PING, INFO server. A Redis server answers
 * PING with `+PONG`, or `-NOAUTH` when it needs a password; either proves it
 * is Redis. INFO (when allowed) gives the version.
 */
export async function probeRedis(
  host: string,
  port: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const commands = [
    ...(options.password !== undefined ? [respCommand('AUTH', options.password)] : []),
    respCommand('PING'),
    respCommand('INFO', 'server'),
  ];
  const want = commands.length;
  const r = await exchange(
    host,
    port,
    options.timeoutMs ?? 1500,
    Buffer.from(commands.join('')),
    (buf) => {
      const replies = parseRespAll(buf, want);
      return replies === 'bad' || replies.length >= want ? 'done' : 'more';
    },
    options.tls,
  );
  if (!r.open) return unreachable('redis', r);
  const replies = parseRespAll(r.received, want);
  if (replies === 'bad') return impostor('redis', 'reply is not the Redis protocol');
  const [auth, ping, info] = options.password !== undefined ? replies : [undefined, ...replies];
  if (!ping) return impostor('redis', r.timedOut ? 'no reply to PING' : 'closed without a reply');
  const pong = ping.type === '+' && ping.text === 'PONG';
  const noAuth = ping.type === '-' && /^NOAUTH\b/.test(ping.text);
  if (!pong && !noAuth) return impostor('redis', 'unexpected reply to PING');
  const wrongPassword = auth?.type === '-' && /WRONGPASS|invalid password/i.test(auth.text);
  const version = info?.type === '$' ? /^redis_version:(\S+)/m.exec(info.text)?.[1] : undefined;
  return {
    open: true,
    confirmed: true,
    ...(version ? { version } : {}),
    authRequired: noAuth || wrongPassword,
    detail: wrongPassword
      ? 'Redis (password refused)'
      : noAuth
        ? 'Redis (password required)'
        : `Redis${version ? ` ${version}` : ''}`,
  };
}

/**
 * MongoDB: send an OP_MSG `hello` on `admin` (needs no authentication) and
 * check the reply is an OP_MSG answering our request id. A server that does
 * not know `hello` (before 4.4.2, and some emulators) still answers with a
 * well-formed `ok: 0` — proof enough — and is asked again with the legacy
 * `isMaster` for its wire version.
 */
export async function probeMongo(
  host: string,
  port: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const first = await mongoHandshake(host, port, options, 'hello');
  if (!first.confirmed || first.maxWireVersion !== undefined) return first.result;
  const legacy = await mongoHandshake(host, port, options, 'isMaster');
  return legacy.confirmed ? legacy.result : first.result;
}

async function mongoHandshake(
  host: string,
  port: number,
  options: ProbeOptions,
  command: HandshakeCommand,
): Promise<{ confirmed: boolean; maxWireVersion?: number; result: ProbeResult }> {
  const requestId = 0x4e6f7661; // "Nova": any id works; the reply must echo it
  const r = await exchange(
    host,
    port,
    options.timeoutMs ?? 1500,
    buildHelloMessage(requestId, command),
    (buf) => {
      if (buf.length < 4) return 'more';
      const len = buf.readInt32LE(0);
      if (len < 16 || len > 48 * 1024 * 1024) return 'done';
      return buf.length >= len ? 'done' : 'more';
    },
    options.tls,
  );
  if (!r.open) return { confirmed: false, result: unreachable('mongo', r) };
  if (r.received.length === 0) {
    return {
      confirmed: false,
      result: impostor('mongo', r.timedOut ? `no reply to ${command}` : 'closed without a reply'),
    };
  }
  const reply = parseOpMsgReply(r.received, requestId);
  if (!reply)
    return { confirmed: false, result: impostor('mongo', 'reply is not a MongoDB OP_MSG') };
  const wire = reply.ok === 1 ? reply.maxWireVersion : undefined;
  return {
    confirmed: true,
    ...(wire !== undefined ? { maxWireVersion: wire } : {}),
    result: {
      open: true,
      confirmed: true,
      detail: wire !== undefined ? `MongoDB (wire version ${wire})` : 'MongoDB',
    },
  };
}
