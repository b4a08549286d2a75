/**
 * `serve --rotate-token` while a server already runs on the data dir: the
 * running server must be the one that rotates, or it would keep accepting
 * the old token and refuse the new one. It is asked with SIGUSR2 (only its
 * own user, or root, can send that); it rotates, writes the new token to
 * credentials.json and closes every connection opened with the old one. This
 * command waits for the new token to appear there and prints the login link.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runningOwner, type LockOwner } from '../../core/app/data-dir-lock.js';
import { CREDENTIALS_FILE_NAME } from '../../core/config/credentials.js';
import { NovaError } from '../../core/errors.js';

/** The signal a running `nova-db serve` takes as "rotate the admin token". */
export const ROTATE_SIGNAL = 'SIGUSR2';
const ANSWER_TIMEOUT_MS = 15_000;

export interface RotatedRemotely {
  owner: LockOwner;
  token: string;
}

/** Null when no server runs on `dataDir` (the caller then starts one that rotates itself). */
export async function rotateOnRunningServer(dataDir: string): Promise<RotatedRemotely | null> {
  const owner = await runningOwner(dataDir);
  if (!owner) return null;
  if (owner.mode !== 'headless') {
    throw new NovaError(
      'DATA_DIR_IN_USE',
      `The data directory ${dataDir} is in use by the Nova DB desktop app (pid ${owner.pid}); its admin token is rotated there.`,
      { fix: 'Rotate the token in the desktop app (Settings), or quit it first.' },
    );
  }
  const before = await readAdminToken(dataDir);
  try {
    process.kill(owner.pid, ROTATE_SIGNAL);
  } catch (err) {
    throw new NovaError(
      'DATA_DIR_IN_USE',
      `Cannot ask the running server (pid ${owner.pid}) to rotate its token: ${(err as Error).message}.`,
      {
        fix: `Run this command as the user that runs the server, or restart it (pid ${owner.pid}) with --rotate-token.`,
        cause: err,
      },
    );
  }
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await readAdminToken(dataDir);
    if (now && now !== before) return { owner, token: now };
  }
  throw new NovaError(
    'DATA_DIR_IN_USE',
    `The running server (pid ${owner.pid}) did not rotate its admin token within ${ANSWER_TIMEOUT_MS / 1000} s; the old token still works.`,
    { fix: `Restart it (stop pid ${owner.pid}, then nova-db serve --rotate-token).` },
  );
}

async function readAdminToken(dataDir: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(
      await readFile(path.join(dataDir, CREDENTIALS_FILE_NAME), 'utf8'),
    ) as { adminToken?: unknown };
    return typeof parsed.adminToken === 'string' ? parsed.adminToken : null;
  } catch {
    return null;
  }
}
