/**
 * Optional encryption of backups (main/core/backup/README.md): AES-256-GCM per part with a key
 * derived from a passphrase by scrypt. The manifest keeps the KDF parameters
 * and salt (never the key) and, per part, the random IV and the GCM tag. The
 * part name is bound in as associated data so parts cannot be swapped.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type CipherGCM,
  type DecipherGCM,
} from 'node:crypto';
import { NovaError } from '../errors.js';
import {
  assertManifestAuthentic,
  type KdfParams,
  type Manifest,
  type ManifestEncryption,
} from './manifest.js';

/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB and ~100 ms per guess on a laptop. */
export const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE_LENGTH = 8;
const KEY_CHECK_LABEL = 'nova-backup key check v1';
const IV_BYTES = 12;

/**
 * The only scrypt costs this product writes: r = 8, p = 1 and N a power of
 * two from 2^10 (tests) to 2^16 (twice the default). The KDF parameters come
 * from the manifest, which anyone can edit, and are used before the
 * passphrase can be checked: unbounded, a crafted backup makes a verify or
 * restore burn minutes of CPU (p) or gigabytes of memory (N). Anything else is
 * refused as damage before any key derivation runs.
 */
export const KDF_LIMITS = { minLog2N: 10, maxLog2N: 16, r: 8, p: 1 } as const;

export function assertKdfParams(kdf: Pick<KdfParams, 'N' | 'r' | 'p'>, where: string): void {
  const log2N = Math.log2(kdf.N);
  const ok =
    Number.isInteger(log2N) &&
    log2N >= KDF_LIMITS.minLog2N &&
    log2N <= KDF_LIMITS.maxLog2N &&
    kdf.r === KDF_LIMITS.r &&
    kdf.p === KDF_LIMITS.p;
  if (!ok) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `${where} asks for key-derivation costs Nova DB never uses (scrypt N=${kdf.N}, r=${kdf.r}, p=${kdf.p}); it was not made by Nova DB or was edited.`,
      { fix: 'Do not use this backup; use another backup.' },
    );
  }
}

/**
 * scrypt on libuv's thread pool (never scryptSync), so the event loop keeps
 * running and a cancel or a SIGTERM is answered at once: the promise rejects
 * with TASK_CANCELLED as soon as `signal` aborts, without waiting for the
 * derivation (bounded by KDF_LIMITS to well under a second) to finish.
 */
export function deriveKey(
  passphrase: string,
  kdf: KdfParams,
  signal?: AbortSignal,
  where = 'the backup',
): Promise<Buffer> {
  try {
    assertKdfParams(kdf, where);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  const salt = Buffer.from(kdf.salt, 'base64');
  // Node's default maxmem (32 MiB) is exactly the default cost; leave headroom.
  const maxmem = 256 * kdf.N * kdf.r * kdf.p;
  return new Promise((resolve, reject) => {
    const cancelled = () =>
      reject(new NovaError('TASK_CANCELLED', 'The key derivation was cancelled.'));
    if (signal?.aborted) {
      cancelled();
      return;
    }
    signal?.addEventListener('abort', cancelled, { once: true });
    scrypt(
      passphrase,
      salt,
      kdf.keyLength,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem },
      (err, key) => {
        signal?.removeEventListener('abort', cancelled);
        if (err) {
          reject(
            new NovaError(
              'BACKUP_CORRUPT',
              `The backup's key parameters are unusable: ${err.message}`,
              { fix: 'The manifest is damaged; use another backup.', cause: err },
            ),
          );
        } else resolve(key);
      },
    );
  });
}

function keyCheck(key: Buffer): Buffer {
  return createHmac('sha256', key).update(KEY_CHECK_LABEL).digest();
}

/** Refuses a passphrase too weak to protect a backup that leaves the machine. */
export function assertNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new NovaError(
      'BACKUP_PASSPHRASE',
      `The backup passphrase is too short (${passphrase.length} characters; at least ${MIN_PASSPHRASE_LENGTH} are needed).`,
      {
        fix: 'Choose a longer passphrase (a few unrelated words work well) and keep it safe: without it the backup cannot be restored.',
      },
    );
  }
}

/** A fresh salt and key for a new encrypted backup, and the manifest block describing them. */
export async function newEncryption(
  passphrase: string,
  cost: { N: number; r: number; p: number } = DEFAULT_KDF,
): Promise<{ key: Buffer; header: ManifestEncryption }> {
  assertNewPassphrase(passphrase);
  const kdf: KdfParams = {
    name: 'scrypt',
    ...cost,
    keyLength: 32,
    salt: randomBytes(16).toString('base64'),
  };
  const key = await deriveKey(passphrase, kdf, undefined, 'a new backup');
  return {
    key,
    header: { cipher: 'aes-256-gcm', kdf, keyCheck: keyCheck(key).toString('base64') },
  };
}

/**
 * Derives the key of an existing backup and proves the passphrase is right
 * before any part is touched; throws BACKUP_PASSPHRASE otherwise.
 */
export async function unlockBackup(
  passphrase: string | undefined,
  header: ManifestEncryption,
  where: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (passphrase === undefined || passphrase === '') {
    throw new NovaError('BACKUP_PASSPHRASE', `${where} is encrypted and no passphrase was given.`, {
      fix: 'Set NOVA_BACKUP_PASSPHRASE to the passphrase used for the backup (or run on a terminal to be asked for it).',
    });
  }
  const key = await deriveKey(passphrase, header.kdf, signal, where);
  const expected = Buffer.from(header.keyCheck, 'base64');
  const actual = keyCheck(key);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new NovaError('BACKUP_PASSPHRASE', `The passphrase is wrong for ${where}.`, {
      fix: 'Set NOVA_BACKUP_PASSPHRASE to the passphrase that was used when this backup was made.',
    });
  }
  return key;
}

/**
 * Unlocks an encrypted backup: bounded KDF, passphrase check, then the
 * manifest's MAC — so nothing the manifest says is acted on before it is
 * proven to come from someone who had the key.
 */
export async function unlockManifest(
  passphrase: string | undefined,
  manifest: Manifest & { encryption: ManifestEncryption },
  where: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  const key = await unlockBackup(passphrase, manifest.encryption, where, signal);
  assertManifestAuthentic(manifest, key, where);
  return key;
}

export interface PartCipher {
  stream: CipherGCM;
  iv: string;
  /** The GCM tag; only valid once the stream has finished. */
  tag(): string;
}

export function encryptPart(key: Buffer, partName: string): PartCipher {
  const iv = randomBytes(IV_BYTES);
  const stream = createCipheriv('aes-256-gcm', key, iv);
  stream.setAAD(Buffer.from(partName, 'utf8'));
  return { stream, iv: iv.toString('base64'), tag: () => stream.getAuthTag().toString('base64') };
}

/**
 * A decipher for one part. GCM only authenticates at the end, so callers
 * write the plaintext to a scratch file and use it only after the stream
 * finished without error (see part-files.ts).
 */
export function decryptPart(
  key: Buffer,
  partName: string,
  params: { iv: string; tag: string },
): DecipherGCM {
  const stream = createDecipheriv('aes-256-gcm', key, Buffer.from(params.iv, 'base64'));
  stream.setAAD(Buffer.from(partName, 'utf8'));
  stream.setAuthTag(Buffer.from(params.tag, 'base64'));
  return stream;
}
