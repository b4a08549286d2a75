/**
 * `verify` (main/core/backup/README.md): proves a backup can be restored, in increasing cost:
 *  1. the manifest is intact (its own checksum);
 *  2. every part's stored bytes match the manifest's size and sha256 —
 *     before any decryption, so a flipped byte is named as damage;
 *  3. the passphrase is right (key check), and every part decrypts with a
 *     valid GCM tag;
 *  4. a trial restore into a scratch target (SQLite temp file; a scratch
 *     PostgreSQL database, created and dropped; a scratch MongoDB database)
 *     whose content checksums must equal the manifest's.
 * Any failure throws (BACKUP_CORRUPT, BACKUP_PASSPHRASE…). On success the
 * result is recorded next to the manifest, which retention relies on.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TaskContext } from '../tasks/task.js';
import { unlockManifest } from './backup-crypto.js';
import { assertMatchesLedger } from './backup-ledger.js';
import { readBackup, writeVerified } from './backup-store.js';
import { partRows } from './manifest.js';
import type { MongoBackupTarget } from './parts/mongo-part.js';
import { checkPartFile, extractPart } from './part-files.js';
import type { PostgresBackupTarget } from './postgres-connect.js';
import { asNovaError, detachedContext } from './run-backup.js';
import type { PartJobOptions } from './part-types.js';
import { backupPart } from './parts/backup-part.js';
import { privateWorkDir, sweepVerifyLeftovers } from './verify-leftovers.js';

export interface VerifyOptions {
  passphrase?: string;
  /**
   * Servers to run trial restores on (a scratch database is created there
   * and dropped). A part whose server is not given is checked up to
   * decryption and reported as not trial-restored.
   */
  scratch?: { postgres?: PostgresBackupTarget; mongo?: MongoBackupTarget };
  pgToolDirs?: string[];
  /**
   * The Nova data directory: plaintext scratch files go under its private
   * `tmp/` (else the system temp folder), and its backup ledger tells
   * whether this backup was made encrypted (backup-ledger.ts).
   */
  dataDir?: string;
  /** Record the success in the backup folder (default true). */
  record?: boolean;
  now?: () => Date;
}

export interface PartVerification {
  name: string;
  service: string;
  checksum: 'ok';
  decrypted: boolean;
  trialRestore: 'ok' | 'skipped';
  /** Why the trial restore did not run. */
  skipped?: string;
  tables: number;
  rows: number;
}

export interface VerifyResult {
  ok: true;
  name: string;
  path: string;
  encrypted: boolean;
  /** Every part was trial-restored, not only checked and decrypted. */
  trialRestored: boolean;
  parts: PartVerification[];
  verifiedAt: string;
  /** The success was written next to the manifest (false on a read-only folder, or with record: false). */
  recorded: boolean;
}

export async function verifyBackup(
  backupPath: string,
  options: VerifyOptions = {},
  ctx: TaskContext = detachedContext(),
): Promise<VerifyResult> {
  try {
    return await runVerify(backupPath, options, ctx);
  } catch (err) {
    throw asNovaError(err, ctx, 'BACKUP_FAILED', `Verifying ${backupPath} failed`);
  }
}

async function runVerify(
  backupPath: string,
  options: VerifyOptions,
  ctx: TaskContext,
): Promise<VerifyResult> {
  // What a killed verify left (plaintext files, scratch databases) goes first.
  await sweepVerifyLeftovers({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...options.scratch,
  });
  const entry = await readBackup(backupPath);
  const { manifest } = entry;
  const where = `the backup ${entry.name}`;
  if (options.dataDir) await assertMatchesLedger(options.dataDir, manifest, where);
  ctx.progress({ phase: 'checksums', done: 0, total: manifest.parts.length });
  for (const [i, part] of manifest.parts.entries()) {
    ctx.progress({ phase: 'checksums', item: part.name, done: i, total: manifest.parts.length });
    await checkPartFile(entry.path, part, where);
  }
  const key = manifest.encryption
    ? await unlockManifest(
        options.passphrase,
        { ...manifest, encryption: manifest.encryption },
        where,
        ctx.signal,
      )
    : undefined;
  const workDir = await privateWorkDir(options.dataDir, 'verify');
  const results: PartVerification[] = [];
  try {
    for (const [i, part] of manifest.parts.entries()) {
      ctx.throwIfCancelled();
      ctx.progress({
        phase: 'trial-restore',
        item: part.name,
        done: i,
        total: manifest.parts.length,
      });
      const job: PartJobOptions = { signal: ctx.signal, ...(key ? { key } : {}) };
      const result: PartVerification = {
        name: part.name,
        service: part.service,
        checksum: 'ok',
        decrypted: key !== undefined,
        trialRestore: 'ok',
        tables: part.tables.length,
        rows: partRows(part),
      };
      const skip = async (reason: string) => {
        // Still prove the part decrypts and decompresses: everything short of restoring it.
        await extractPart(entry.path, part, path.join(workDir, 'decrypt-check'), where, {
          ...job,
          gunzip: true,
        });
        await rm(path.join(workDir, 'decrypt-check'), { force: true });
        result.trialRestore = 'skipped';
        result.skipped = reason;
      };
      try {
        const engine = await backupPart(part.service);
        const outcome = await engine.trialRestore(
          part.service === 'sqlite' ? undefined : options.scratch?.[part.service],
          { backupPath: entry.path, part, workDir, where },
          job,
          options.pgToolDirs ? { pgToolDirs: options.pgToolDirs } : {},
        );
        if (outcome) await skip(outcome.skipped);
      } catch (err) {
        const { trialSkipReason } = await import('./scratch-targets.js');
        const reason = trialSkipReason(err);
        if (reason === null) throw err;
        await skip(reason);
      }
      results.push(result);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const verifiedAt = (options.now ?? (() => new Date()))().toISOString();
  const trialRestored = results.every((r) => r.trialRestore === 'ok');
  // A read-only backup folder (a mounted archive) can still be verified; it just cannot remember it.
  const recorded =
    options.record !== false &&
    (await writeVerified(entry.path, {
      at: verifiedAt,
      manifestChecksum: manifest.checksum,
      trialRestored,
    }).then(
      () => true,
      () => false,
    ));
  return {
    ok: true,
    name: entry.name,
    path: entry.path,
    encrypted: key !== undefined,
    trialRestored,
    parts: results,
    verifiedAt,
    recorded,
  };
}
