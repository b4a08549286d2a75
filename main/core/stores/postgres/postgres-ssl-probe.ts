/**
 * Asks a PostgreSQL server whether it speaks TLS, the way every client starts
 * a TLS session: an SSLRequest packet, answered by one byte, `S` or `N`.
 * The store runs it only after a connect attempt failed without an error
 * code, to tell "the server has SSL off" apart from other early disconnects.
 */
import net from 'node:net';

/** Length 8, then the magic request code 80877103 (protocol docs, "SSLRequest"). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** true = `S`, false = `N`, undefined = no clear answer (closed, timed out, not PostgreSQL). */
export function probeServerSsl(
  host: string,
  port: number,
  timeoutMs = 2_000,
): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (answer: boolean | undefined): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('close', () => finish(undefined));
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (data: Buffer) => {
      const answer = data[0];
      finish(answer === 0x53 ? true : answer === 0x4e ? false : undefined);
    });
  });
}
