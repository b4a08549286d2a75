/**
 * Loopback port selection for servers we run ourselves. The OS is the only
 * reliable judge of "free" (bind and see), and a port we used before is
 * preferred so connection URLs stay the same across restarts. The default
 * ports of the real services are never handed out: a machine's own
 * PostgreSQL or Redis might be stopped right now and come back later.
 */
import { createServer } from 'node:net';
import { NovaError } from '../errors.js';
import { DEFAULT_PORTS, SERVICE_LABEL } from './handshake.js';
import type { ServiceName } from './types.js';

const RESERVED = new Set<number>(Object.values(DEFAULT_PORTS));

/** True when this process can bind `host:port` right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free on `host` (never one of the services' default ports). */
export async function osFreePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ port: 0, host, exclusive: true }, () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port > 0 && !RESERVED.has(port)) return port;
  }
  throw new NovaError(
    'PORT_IN_USE',
    `The operating system did not hand out a free port on ${host}.`,
    {
      fix: 'Close some programs holding many ports, or check the loopback interface is up.',
    },
  );
}

export interface PortChoice {
  service: ServiceName;
  /** A port fixed by configuration: used as is, or PORT_IN_USE. */
  fixed?: number;
  /** The port used last time: reused when still free. */
  remembered?: number;
  host?: string;
}

/** Picks the port for a server we are about to start. */
export async function choosePort(choice: PortChoice): Promise<number> {
  const host = choice.host ?? '127.0.0.1';
  if (choice.fixed !== undefined) {
    if (await isPortFree(choice.fixed, host)) return choice.fixed;
    throw new NovaError(
      'PORT_IN_USE',
      `Port ${choice.fixed} on ${host}, configured for ${SERVICE_LABEL[choice.service]}, is already in use.`,
      {
        fix: `Stop the program using port ${choice.fixed} (see \`ss -ltnp\` or \`lsof -i :${choice.fixed}\`), or configure another port.`,
      },
    );
  }
  if (
    choice.remembered !== undefined &&
    !RESERVED.has(choice.remembered) &&
    (await isPortFree(choice.remembered, host))
  ) {
    return choice.remembered;
  }
  return osFreePort(host);
}
