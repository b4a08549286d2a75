/**
 * Just enough of the MongoDB wire protocol (OP_MSG + a BSON subset) to send
 * `hello` and read the reply header and a few top-level fields — detection
 * must work without a driver connection (which would hide *why* a port is
 * not MongoDB behind a server-selection timeout).
 */

const OP_MSG = 2013;

/** The handshake command: `hello` (MongoDB ≥ 4.4.2) or its legacy name `isMaster` (every version). */
export type HandshakeCommand = 'hello' | 'isMaster';

/** BSON `{ <command>: 1, $db: "admin" }`. */
function helloDocument(command: HandshakeCommand): Buffer {
  const parts: Buffer[] = [];
  const cstring = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n, 0);
    return b;
  };
  parts.push(Buffer.from([0x10]), cstring(command), int32(1));
  const db = cstring('admin');
  parts.push(Buffer.from([0x02]), cstring('$db'), int32(db.length), db);
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(4 + body.length + 1), body, Buffer.from([0])]);
}

/** An OP_MSG carrying `hello` (or `isMaster`), with the given request id. */
export function buildHelloMessage(requestId: number, command: HandshakeCommand = 'hello'): Buffer {
  const doc = helloDocument(command);
  const header = Buffer.alloc(16);
  const total = 16 + 4 + 1 + doc.length;
  header.writeInt32LE(total, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  const flags = Buffer.alloc(4); // no checksum, no moreToCome
  return Buffer.concat([header, flags, Buffer.from([0]), doc]);
}

export interface HelloReply {
  ok?: number;
  maxWireVersion?: number;
}

/**
 * Parses a reply to `requestId`; null when the bytes are not a well-formed
 * OP_MSG answering it (wrong length, wrong opcode, wrong responseTo, bad BSON).
 */
export function parseOpMsgReply(buf: Buffer, requestId: number): HelloReply | null {
  if (buf.length < 21) return null;
  const length = buf.readInt32LE(0);
  if (length !== buf.length) return null;
  if (buf.readInt32LE(8) !== requestId || buf.readInt32LE(12) !== OP_MSG) return null;
  if (buf[20] !== 0) return null; // section kind 0: the body document
  try {
    return readTopLevel(buf, 21);
  } catch {
    return null; // a length field pointing past the end: malformed
  }
}

/** Reads `ok` and `maxWireVersion` from the BSON document at `start`; null when malformed. */
function readTopLevel(buf: Buffer, start: number): HelloReply | null {
  if (start + 5 > buf.length) return null;
  const docLen = buf.readInt32LE(start);
  const end = start + docLen;
  if (docLen < 5 || end > buf.length || buf[end - 1] !== 0) return null;
  const out: HelloReply = {};
  let at = start + 4;
  while (at < end - 1) {
    const type = buf[at] ?? 0;
    const nameEnd = buf.indexOf(0, at + 1);
    if (nameEnd === -1 || nameEnd >= end) return null;
    const name = buf.toString('utf8', at + 1, nameEnd);
    at = nameEnd + 1;
    let value: number | undefined;
    let size: number;
    switch (type) {
      case 0x01: // double
        value = buf.readDoubleLE(at);
        size = 8;
        break;
      case 0x10: // int32
        value = buf.readInt32LE(at);
        size = 4;
        break;
      case 0x12: // int64
        value = Number(buf.readBigInt64LE(at));
        size = 8;
        break;
      case 0x08: // bool
        value = buf[at] ? 1 : 0;
        size = 1;
        break;
      case 0x09: // UTC datetime
      case 0x11: // timestamp
        size = 8;
        break;
      case 0x07: // ObjectId
        size = 12;
        break;
      case 0x0a: // null
        size = 0;
        break;
      case 0x02: // string: int32 length + bytes
        size = 4 + buf.readInt32LE(at);
        break;
      case 0x03: // document
      case 0x04: // array
        size = buf.readInt32LE(at);
        break;
      case 0x05: // binary: int32 length + subtype + bytes
        size = 4 + 1 + buf.readInt32LE(at);
        break;
      default:
        return null; // a type hello never returns: treat as malformed
    }
    if (size < 0 || at + size > end - 1) return null;
    if (name === 'ok') out.ok = value;
    if (name === 'maxWireVersion') out.maxWireVersion = value;
    at += size;
  }
  return out;
}
