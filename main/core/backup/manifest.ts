/**
 * The manifest of a backup (main/core/backup/README.md): what was backed up, when, by which
 * tools, and the sha256 of every part. It is written last, so a folder with a
 * valid manifest is a complete backup; it carries a checksum of itself so a
 * damaged manifest is caught before anything trusts it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { NovaError } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'nova-backup';
export const MANIFEST_VERSION = 1;

export const SERVICES = ['sqlite', 'postgres', 'mongo'] as const;
export type BackupService = (typeof SERVICES)[number];

/**
 * How a part's bytes are laid out before encryption. `gzip` formats are
 * streamed through gunzip on restore; `pg_dump -Fc` compresses by itself.
 */
export const PART_FORMATS = {
  'sqlite-gzip': { service: 'sqlite', gzip: true },
  'pg-dump-custom': { service: 'postgres', gzip: false },
  'pg-jsonl-gzip': { service: 'postgres', gzip: true },
  'mongo-ejson-gzip': { service: 'mongo', gzip: true },
} as const satisfies Record<string, { service: BackupService; gzip: boolean }>;

/**
 * The first bytes of an unencrypted part of each format (gzip's 1f 8b,
 * pg_dump's "PGDMP"). Encrypted bytes look random, so a part that lacks its
 * magic while the manifest says it is not encrypted had its encryption
 * stripped from the manifest (or is not a part at all).
 */
export const PART_MAGIC: Record<PartFormat, Buffer> = {
  'sqlite-gzip': Buffer.from([0x1f, 0x8b]),
  'pg-dump-custom': Buffer.from('PGDMP', 'latin1'),
  'pg-jsonl-gzip': Buffer.from([0x1f, 0x8b]),
  'mongo-ejson-gzip': Buffer.from([0x1f, 0x8b]),
};
export type PartFormat = keyof typeof PART_FORMATS;

export const BACKUP_REASONS = ['manual', 'scheduled', 'pre-migration', 'pre-restore'] as const;
export type BackupReason = (typeof BACKUP_REASONS)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
const count = z.number().int().min(0);

/** Row count and content checksum of one table or collection, as backed up. */
const tableSchema = z.object({
  /** PostgreSQL schema; absent for SQLite and MongoDB. */
  schema: z.string().optional(),
  name: z.string().min(1),
  rows: count,
  checksum: hex64,
});
export type TableContent = z.infer<typeof tableSchema>;

const partSchema = z.object({
  /** File name inside the backup folder. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a plain file name'),
  service: z.enum(SERVICES),
  format: z.enum(Object.keys(PART_FORMATS) as [PartFormat, ...PartFormat[]]),
  /** Size and sha256 of the bytes on disk (after compression and encryption). */
  bytes: count,
  sha256: hex64,
  /** AES-256-GCM parameters of this part; null when the backup is not encrypted. */
  encryption: z.object({ iv: base64, tag: base64 }).nullable(),
  /** Where the data came from, without credentials ("PostgreSQL 127.0.0.1:5432/nova"). */
  source: z.string(),
  serverVersion: z.string().nullable(),
  /** The program that produced the part ("pg_dump (PostgreSQL) 15.20") or "nova-db driver export". */
  tool: z.string(),
  tables: z.array(tableSchema),
  /** Things a person should know about what this part does not contain. */
  notes: z.array(z.string()),
});
export type ManifestPart = z.infer<typeof partSchema>;

const kdfSchema = z.object({
  name: z.literal('scrypt'),
  N: z.number().int().min(2),
  r: z.number().int().min(1),
  p: z.number().int().min(1),
  keyLength: z.literal(32),
  salt: base64,
});
export type KdfParams = z.infer<typeof kdfSchema>;

const encryptionSchema = z.object({
  cipher: z.literal('aes-256-gcm'),
  kdf: kdfSchema,
  /** HMAC of a constant under the key: tells a wrong passphrase from damaged data. */
  keyCheck: base64,
});
export type ManifestEncryption = z.infer<typeof encryptionSchema>;

const manifestBody = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.literal(MANIFEST_VERSION),
  id: z.string().regex(/^[0-9a-f]{8,32}$/),
  /** Folder name: `<UTC timestamp>-<id>`, sorts by time. */
  name: z.string().min(1),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  reason: z.enum(BACKUP_REASONS),
  novaVersion: z.string(),
  host: z.string(),
  encryption: encryptionSchema.nullable(),
  parts: z.array(partSchema).min(1),
});

const manifestSchema = manifestBody.extend({
  checksum: hex64,
  /**
   * HMAC-SHA256 of the body under a key derived from the backup key: present
   * (and required) exactly when the backup is encrypted, so a person without
   * the passphrase cannot rewrite what the manifest says (see manifestMac).
   */
  mac: hex64.optional(),
});

export type ManifestBody = z.infer<typeof manifestBody>;
export type Manifest = z.infer<typeof manifestSchema>;

/** JSON with object keys sorted, so the checksum survives re-formatting of the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function bodyChecksum(body: ManifestBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

const MAC_LABEL = 'nova-backup manifest mac v1';

/**
 * The manifest's authentication code under the backup key. The checksum
 * alone only catches damage: anyone can recompute it after an edit. The MAC
 * needs the key, so an encrypted backup's parts list, table checksums and
 * KDF header cannot be rewritten without the passphrase.
 */
export function manifestMac(key: Buffer, body: ManifestBody): string {
  const macKey = createHmac('sha256', key).update(MAC_LABEL).digest();
  return createHmac('sha256', macKey).update(canonicalJson(body)).digest('hex');
}

/** Seals a manifest body with its checksum and, for an encrypted backup, its MAC under `key`. */
export function sealManifest(body: ManifestBody, key?: Buffer): Manifest {
  const parsed = manifestBody.parse(body);
  return {
    ...parsed,
    checksum: bodyChecksum(parsed),
    ...(parsed.encryption && key ? { mac: manifestMac(key, parsed) } : {}),
  };
}

/**
 * Proves an encrypted manifest was written by someone holding the key.
 * Call right after the passphrase was checked, before any part is used.
 */
export function assertManifestAuthentic(manifest: Manifest, key: Buffer, where: string): void {
  const { checksum: _checksum, mac, ...body } = manifest;
  const expected = Buffer.from(manifestMac(key, body), 'hex');
  const actual = Buffer.from(mac ?? '', 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `The manifest of ${where} is not authentic: it was changed by someone without the passphrase.`,
      { fix: 'Do not trust this backup; use another backup.' },
    );
  }
}

/**
 * Parses manifest text and proves it is intact. Throws BACKUP_CORRUPT naming
 * what is wrong; `where` says which backup, for the message.
 */
export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NovaError('BACKUP_CORRUPT', `The manifest of ${where} is not valid JSON.`, {
      fix: 'The backup is damaged; use another backup.',
      cause: err,
    });
  }
  const format = (raw as { format?: unknown; formatVersion?: unknown } | null) ?? {};
  if (format.format === MANIFEST_FORMAT && format.formatVersion !== MANIFEST_VERSION) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `${where} uses backup format version ${String(format.formatVersion)}, which this Nova DB does not know.`,
      { fix: 'Use a Nova DB version at least as new as the one that made the backup.' },
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new NovaError(
      'BACKUP_CORRUPT',
      `The manifest of ${where} is not a Nova backup manifest: ${at} ${issue?.message ?? 'is invalid'}.`,
      { fix: 'The backup is damaged or was not made by Nova DB; use another backup.' },
    );
  }
  const { checksum, mac, ...body } = parsed.data;
  if (bodyChecksum(body) !== checksum) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `The manifest of ${where} was changed after the backup was written (its checksum does not match).`,
      { fix: 'The backup is damaged or was edited; use another backup.' },
    );
  }
  const mixed = body.parts.find((p) => (p.encryption === null) !== (body.encryption === null));
  if (mixed) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `The manifest of ${where} contradicts itself: the backup is ${body.encryption ? '' : 'not '}encrypted but its part ${mixed.name} is ${mixed.encryption ? '' : 'not '}.`,
      { fix: 'The backup was edited; use another backup.' },
    );
  }
  if (body.encryption !== null && mac === undefined) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `The manifest of ${where} says the backup is encrypted but carries no authentication code, so it cannot be trusted.`,
      { fix: 'The backup was edited or made by an older Nova DB; use another backup.' },
    );
  }
  return parsed.data;
}

/** Total rows recorded in a part, for summaries. */
export function partRows(part: ManifestPart): number {
  return part.tables.reduce((sum, t) => sum + t.rows, 0);
}
