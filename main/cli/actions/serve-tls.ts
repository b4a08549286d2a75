/**
 * `serve` off loopback: the admin token travels with every request, so a
 * server other machines can reach must speak TLS (`--tls-cert`/`--tls-key`),
 * or the operator must say explicitly that a TLS proxy in front takes care of
 * it (`--insecure-public`). Loopback is decided by the one test in
 * server/loopback.ts, whatever the spelling of the address.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { NovaError } from '../../core/errors.js';
import { isLoopback } from '../../server/loopback.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks the certificate and key; null when neither flag is given. */
export async function readTlsFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
): Promise<TlsFiles | null> {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${certFile === undefined ? '--tls-key' : '--tls-cert'} was given without ${certFile === undefined ? '--tls-cert' : '--tls-key'}; HTTPS needs both.`,
      {
        fix: 'Give both --tls-cert FILE (PEM certificate chain) and --tls-key FILE (PEM private key).',
      },
    );
  }
  const cert = await readPem(certFile, '--tls-cert');
  const key = await readPem(keyFile, '--tls-key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `--tls-cert ${certFile} and --tls-key ${keyFile} cannot be used together: ${(err as Error).message}.`,
      {
        fix: 'Give a PEM certificate and the PEM private key that belongs to it (unencrypted).',
        cause: err,
      },
    );
  }
  return { cert, key };
}

async function readPem(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot read ${flag} ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      { fix: `Check the path given to ${flag} and that this user may read it.`, cause: err },
    );
  }
}

/** Refuses a non-loopback address without TLS unless --insecure-public says it is intended. */
export function requireTlsOffLoopback(host: string, tls: boolean, insecurePublic: boolean): void {
  if (isLoopback(host) || tls || insecurePublic) return;
  throw new NovaError(
    'INVALID_ARGUMENT',
    `Listening on ${host} lets other machines reach the server, and without TLS the admin token would cross the network in clear text.`,
    {
      fix: 'Serve HTTPS with --tls-cert FILE --tls-key FILE; or, behind a TLS-terminating proxy on a trusted network, add --insecure-public; or listen on 127.0.0.1 (--host 127.0.0.1, the default).',
    },
  );
}
