/**
 * Writing and reading the part files of a backup: compression, optional
 * encryption, sha256 of the stored bytes, fsync. Reading is two-step on
 * purpose: first the stored bytes are checked against the manifest (cheap,
 * needs no passphrase, catches a flipped byte), then the plaintext is
 * produced into a scratch file and trusted only once GCM has authenticated it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { NovaError, isNovaError } from '../errors.js';
import { decryptPart, encryptPart } from './backup-crypto.js';
import { PART_FORMATS, PART_MAGIC, type ManifestPart } from './manifest.js';

export interface WrittenPart {
  bytes: number;
  sha256: string;
  encryption: { iv: string; tag: string } | null;
}

/** Counts and hashes the bytes flowing through. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(
    chunk: Buffer,
    _enc: BufferEncoding,
    done: (err?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Flushes a file's data to disk, so a rename that follows never exposes an empty file after a crash. */
export async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Same for a directory entry (the rename itself); not supported on every platform, so best effort. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir);
  } catch {
    // Windows cannot open directories for fsync; NTFS journals renames itself.
  }
}

export interface WritePartOptions {
  /** File name inside the backup folder; bound into the encryption as associated data. */
  partName: string;
  gzip: boolean;
  /** Encrypt with this key when given. */
  key?: Buffer;
  signal?: AbortSignal;
}

/** Streams `source` into `dir/partName` (created 0600, never overwritten) and fsyncs it. */
export async function writePart(
  dir: string,
  source: Readable,
  options: WritePartOptions,
): Promise<WrittenPart> {
  const file = path.join(dir, options.partName);
  const cipher = options.key ? encryptPart(options.key, options.partName) : undefined;
  const tap = new HashTap();
  const stages: (Readable | Transform | Writable)[] = [source];
  if (options.gzip) stages.push(createGzip({ level: 6 }));
  if (cipher) stages.push(cipher.stream);
  stages.push(tap, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  await pipeline(
    stages as unknown as Parameters<typeof pipeline>[0][],
    options.signal ? { signal: options.signal } : {},
  );
  await fsyncPath(file);
  return {
    bytes: tap.bytes,
    sha256: tap.hash.digest('hex'),
    encryption: cipher ? { iv: cipher.iv, tag: cipher.tag() } : null,
  };
}

function corrupt(where: string, part: ManifestPart, detail: string, cause?: unknown): NovaError {
  return new NovaError(
    'BACKUP_CORRUPT',
    `${where}: the part ${part.name} is damaged (${detail}).`,
    {
      fix: 'This backup cannot be trusted; restore from another backup and make a new one.',
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** Proves the stored bytes of `part` are the ones the manifest recorded (size, then sha256). */
export async function checkPartFile(dir: string, part: ManifestPart, where: string): Promise<void> {
  const file = path.join(dir, part.name);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw corrupt(where, part, 'the file is missing', err);
  }
  if (size !== part.bytes) throw corrupt(where, part, `${size} bytes instead of ${part.bytes}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  if (hash.digest('hex') !== part.sha256)
    throw corrupt(where, part, 'its sha256 does not match the manifest');
  if (part.encryption === null) await checkPlainMagic(file, part, where);
}

/** An unencrypted part must start like its format; random-looking bytes mean its encryption was stripped. */
async function checkPlainMagic(file: string, part: ManifestPart, where: string): Promise<void> {
  const magic = PART_MAGIC[part.format];
  const head = Buffer.alloc(magic.length);
  const handle = await open(file, 'r');
  try {
    await handle.read(head, 0, magic.length, 0);
  } finally {
    await handle.close();
  }
  if (!head.equals(magic)) {
    throw corrupt(
      where,
      part,
      'the manifest says it is not encrypted, but it does not start like a ' +
        `${part.format} file: it looks encrypted, and the manifest was edited to hide that`,
    );
  }
}

/** Turns failures of decryption or decompression into BACKUP_CORRUPT; anything else passes through. */
function mapReadError(err: unknown, where: string, part: ManifestPart): unknown {
  if (isNovaError(err)) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return err;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_'))
    return corrupt(where, part, `it does not decompress: ${e.message}`, err);
  if (e instanceof Error && /unable to authenticate/i.test(e.message) && !e.code) {
    return corrupt(where, part, 'its encryption tag does not authenticate the data', err);
  }
  return err;
}

export interface ExtractOptions {
  /** Key when the backup is encrypted. */
  key?: Buffer;
  /** Undo the part's gzip too (default: only decrypt). */
  gunzip?: boolean;
  signal?: AbortSignal;
}

/**
 * Writes the plaintext of `part` (decrypted, optionally decompressed) to
 * `dest`. `dest` is complete and authentic only when this resolves; on
 * failure it is removed.
 */
export async function extractPart(
  dir: string,
  part: ManifestPart,
  dest: string,
  where: string,
  options: ExtractOptions = {},
): Promise<void> {
  const stages: (Readable | Transform | Writable)[] = [createReadStream(path.join(dir, part.name))];
  if (part.encryption) {
    if (!options.key) throw new NovaError('INTERNAL', `No key to decrypt ${part.name}.`);
    stages.push(decryptPart(options.key, part.name, part.encryption));
  }
  if (options.gunzip && PART_FORMATS[part.format].gzip) stages.push(createGunzip());
  stages.push(createWriteStream(dest, { flags: 'w', mode: 0o600 }));
  try {
    await pipeline(
      stages as unknown as Parameters<typeof pipeline>[0][],
      options.signal ? { signal: options.signal } : {},
    );
  } catch (err) {
    await rm(dest, { force: true });
    throw mapReadError(err, where, part);
  }
}

/**
 * The lines of a line-based part (JSON lines), decompressed. Encrypted parts
 * are first authenticated into a scratch file under `workDir`, so the
 * consumer never acts on bytes GCM has not vouched for.
 */
export async function* readPartLines(
  dir: string,
  part: ManifestPart,
  workDir: string,
  where: string,
  options: Omit<ExtractOptions, 'gunzip'> = {},
): AsyncGenerator<string> {
  const file = await partPlainFile(dir, part, workDir, where, options);
  const source = createReadStream(file);
  const stream = PART_FORMATS[part.format].gzip ? source.pipe(createGunzip()) : source;
  if (stream !== source) source.on('error', (err) => stream.destroy(err));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) yield line;
    }
  } catch (err) {
    throw mapReadError(err, where, part);
  } finally {
    stream.destroy();
    source.destroy();
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/** The plaintext file of an encrypted part (decrypted only), or the part itself when not encrypted. */
export async function partPlainFile(
  dir: string,
  part: ManifestPart,
  workDir: string,
  where: string,
  options: Omit<ExtractOptions, 'gunzip'> = {},
): Promise<string> {
  if (!part.encryption) return path.join(dir, part.name);
  const file = path.join(workDir, `${part.name}.plain`);
  await extractPart(dir, part, file, where, options);
  return file;
}
