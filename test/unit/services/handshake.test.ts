import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  probeMongo,
  probePostgres,
  probeRedis,
  probeService,
} from '../../../main/core/services/handshake.js';
import { buildHelloMessage, parseOpMsgReply } from '../../../main/core/services/mongo-wire.js';
import { osFreePort } from '../../../main/core/services/ports.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP listener on a free loopback port that does `onData` with what it receives. */
async function listener(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** A BSON document with `ok: 1.0` and `maxWireVersion: <n>`, built by hand. */
function helloReplyDoc(maxWire: number): Buffer {
  const okEl = Buffer.concat([Buffer.from([0x01]), Buffer.from('ok\0'), Buffer.alloc(8)]);
  okEl.writeDoubleLE(1, 4);
  const wireEl = Buffer.concat([
    Buffer.from([0x10]),
    Buffer.from('maxWireVersion\0'),
    Buffer.alloc(4),
  ]);
  wireEl.writeInt32LE(maxWire, wireEl.length - 4);
  const body = Buffer.concat([okEl, wireEl]);
  const doc = Buffer.concat([Buffer.alloc(4), body, Buffer.from([0])]);
  doc.writeInt32LE(doc.length, 0);
  return doc;
}

function opMsgReply(responseTo: number, doc: Buffer, opCode = 2013): Buffer {
  const header = Buffer.alloc(16);
  const total = 16 + 4 + 1 + doc.length;
  header.writeInt32LE(total, 0);
  header.writeInt32LE(99, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, Buffer.alloc(4), Buffer.from([0]), doc]);
}

describe('protocol probes against impostors', () => {
  it('a listener that accepts and says nothing is open but not confirmed, within the timeout', async () => {
    const port = await listener(() => undefined);
    const started = Date.now();
    for (const service of ['postgres', 'redis', 'mongo'] as const) {
      const r = await probeService(service, '127.0.0.1', port, { timeoutMs: 300 });
      expect(r.open).toBe(true);
      expect(r.confirmed).toBe(false);
      expect(r.detail).toMatch(/^port open but not a (PostgreSQL|Redis|MongoDB) server/);
    }
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a listener that replies garbage is not confirmed', async () => {
    const port = await listener((s) =>
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    expect(await probePostgres('127.0.0.1', port, { timeoutMs: 500 })).toMatchObject({
      open: true,
      confirmed: false,
      detail: expect.stringContaining('not a PostgreSQL server'),
    });
    expect(await probeRedis('127.0.0.1', port, { timeoutMs: 500 })).toMatchObject({
      open: true,
      confirmed: false,
      detail: expect.stringContaining('not a Redis server'),
    });
    expect(await probeMongo('127.0.0.1', port, { timeoutMs: 500 })).toMatchObject({
      open: true,
      confirmed: false,
      detail: expect.stringContaining('not a MongoDB server'),
    });
  });

  it('PostgreSQL: "N" followed by more bytes is not a PostgreSQL server; a lone "N" or "S" is', async () => {
    const chatty = await listener((s) =>
      s.once('data', () => s.write('NOPE, this is something else')),
    );
    expect((await probePostgres('127.0.0.1', chatty, { timeoutMs: 500 })).confirmed).toBe(false);
    const lateChatty = await listener((s) =>
      s.once('data', () => {
        s.write('N');
        setTimeout(() => s.write('more'), 10);
      }),
    );
    expect((await probePostgres('127.0.0.1', lateChatty, { timeoutMs: 500 })).confirmed).toBe(
      false,
    );
    // Exactly what a PostgreSQL server does after an SSLRequest: one byte, then waits.
    const expectsSslRequest = await listener((s) =>
      s.once('data', (d: Buffer) => {
        if (d.length === 8 && d.readInt32BE(0) === 8 && d.readInt32BE(4) === 80877103) s.write('S');
      }),
    );
    expect(await probePostgres('127.0.0.1', expectsSslRequest, { timeoutMs: 500 })).toMatchObject({
      confirmed: true,
      detail: 'PostgreSQL (offers TLS)',
    });
  });

  it('Redis: an echo server or an unexpected error is not Redis', async () => {
    const echo = await listener((s) => s.on('data', (d) => s.write(d)));
    expect((await probeRedis('127.0.0.1', echo, { timeoutMs: 500 })).confirmed).toBe(false);
    const wrongReply = await listener((s) => s.once('data', () => s.write('+OK\r\n+OK\r\n')));
    expect(await probeRedis('127.0.0.1', wrongReply, { timeoutMs: 500 })).toMatchObject({
      confirmed: false,
      detail: expect.stringContaining('unexpected reply to PING'),
    });
  });

  it('nothing listening: not open, detail says so', async () => {
    const port = await osFreePort();
    for (const service of ['postgres', 'redis', 'mongo'] as const) {
      const r = await probeService(service, '127.0.0.1', port, { timeoutMs: 500 });
      expect(r).toMatchObject({ open: false, confirmed: false });
      expect(r.detail).toContain('nothing listening');
    }
  });
});

describe('MongoDB wire messages', () => {
  it('builds an OP_MSG hello with the request id and a well-formed BSON body', () => {
    const msg = buildHelloMessage(1234);
    expect(msg.readInt32LE(0)).toBe(msg.length);
    expect(msg.readInt32LE(4)).toBe(1234);
    expect(msg.readInt32LE(12)).toBe(2013);
    const doc = msg.subarray(21);
    expect(doc.readInt32LE(0)).toBe(doc.length);
    expect(doc.includes(Buffer.from('hello\0'))).toBe(true);
    expect(doc.includes(Buffer.from('$db\0'))).toBe(true);
    expect(doc.includes(Buffer.from('admin\0'))).toBe(true);
  });

  it('parses a reply to our request and refuses replies to other requests, other opcodes or truncated ones', () => {
    const good = opMsgReply(77, helloReplyDoc(21));
    expect(parseOpMsgReply(good, 77)).toEqual({ ok: 1, maxWireVersion: 21 });
    expect(parseOpMsgReply(good, 78)).toBeNull();
    expect(parseOpMsgReply(opMsgReply(77, helloReplyDoc(21), 1), 77)).toBeNull();
    expect(parseOpMsgReply(good.subarray(0, good.length - 3), 77)).toBeNull();
    const badDoc = Buffer.from(good);
    badDoc.writeInt32LE(9999, 21); // BSON length pointing past the end
    expect(parseOpMsgReply(badDoc, 77)).toBeNull();
  });

  it('a server answering hello with a proper OP_MSG is confirmed, with its wire version', async () => {
    const port = await listener((s) =>
      s.once('data', (d: Buffer) => s.write(opMsgReply(d.readInt32LE(4), helloReplyDoc(17)))),
    );
    expect(await probeMongo('127.0.0.1', port, { timeoutMs: 500 })).toEqual({
      open: true,
      confirmed: true,
      detail: 'MongoDB (wire version 17)',
    });
  });
});
