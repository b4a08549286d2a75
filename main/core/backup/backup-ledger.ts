/**
 * What this installation knows about the backups it made, kept in the data
 * directory rather than next to the backups: one JSON line per backup (id,
 * name, encrypted). It answers the one question a backup cannot answer about
 * itself: "was I encrypted?". The manifest's MAC protects an encrypted
 * manifest, but a person who can edit the backup folder can also replace the
 * whole manifest with an unencrypted one and put their own plaintext parts
 * beside it; the manifest then proves nothing. The ledger is outside that
 * person's reach (the data directory is private, the backup folder may be a
 * shared or off-site one), so restore and verify refuse an unencrypted
 * backup whose id this installation recorded as encrypted.
 *
 * What it cannot do: vouch for a backup made by another installation, or
 * for one whose id was changed as well (that backup is then simply unknown,
 * and restore says it is unencrypted). See docs/backup-safety.md.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { NovaError } from '../errors.js';
import type { Manifest } from './manifest.js';

export const LEDGER_FILE = 'backup-ledger.jsonl';

interface LedgerLine {
  id: string;
  name: string;
  encrypted: boolean;
}

/** Appends one backup to the ledger of `dataDir` (created 0600; appends of one line are atomic). */
export async function recordInLedger(dataDir: string, manifest: Manifest): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const line: LedgerLine = {
    id: manifest.id,
    name: manifest.name,
    encrypted: manifest.encryption !== null,
  };
  await appendFile(path.join(dataDir, LEDGER_FILE), `${JSON.stringify(line)}\n`, {
    mode: 0o600,
  });
}

async function readLedger(dataDir: string): Promise<LedgerLine[]> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, LEDGER_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines: LedgerLine[] = [];
  for (const raw of text.split('\n')) {
    try {
      const v = JSON.parse(raw) as Partial<LedgerLine>;
      if (typeof v.id === 'string' && typeof v.encrypted === 'boolean')
        lines.push({ id: v.id, name: String(v.name ?? ''), encrypted: v.encrypted });
    } catch {
      // A torn last line (a crash mid-append) is skipped; the others still count.
    }
  }
  return lines;
}

/** Refuses an unencrypted manifest for a backup this installation made encrypted. */
export async function assertMatchesLedger(
  dataDir: string,
  manifest: Manifest,
  where: string,
): Promise<void> {
  if (manifest.encryption !== null) return;
  const known = (await readLedger(dataDir)).filter(
    (l) => l.id === manifest.id || (l.name !== '' && l.name === manifest.name),
  );
  if (known.some((l) => l.encrypted)) {
    throw new NovaError(
      'BACKUP_CORRUPT',
      `${where} was made encrypted by this Nova DB, but its manifest now says it is not encrypted: its encryption was stripped and its contents may have been replaced.`,
      { fix: 'Do not restore this backup; use another backup and find out who changed it.' },
    );
  }
}
