/**
 * `<data dir>/services/state.json` remembers, per service, the port we chose
 * and the pid we started. The port makes the connection URL stable across
 * restarts (the data layer and the admin's tools keep working); the pid lets
 * a new run adopt a server left behind by a crash instead of starting a
 * second one on the same data.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceName } from './types.js';

export interface ServiceRecord {
  port: number;
  /** Pid of the server process while it runs; removed on a clean stop. */
  pid?: number;
  startedAt?: string;
}

export type ServiceStateRecords = Partial<Record<ServiceName, ServiceRecord>>;

export function servicesDir(dataDir: string): string {
  return path.join(dataDir, 'services');
}

export function stateFilePath(dataDir: string): string {
  return path.join(servicesDir(dataDir), 'state.json');
}

/** Serialises read-modify-write per file within this process (services start concurrently). */
const queues = new Map<string, Promise<unknown>>();

export class ServiceStateFile {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = stateFilePath(dataDir);
  }

  /** Everything recorded; a missing or unreadable file is empty (it is a cache, not user data). */
  async read(): Promise<ServiceStateRecords> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { services?: unknown };
      return sanitize(parsed.services);
    } catch {
      return {};
    }
  }

  async get(service: ServiceName): Promise<ServiceRecord | undefined> {
    return (await this.read())[service];
  }

  /** Applies `change` to one service's record (undefined removes it) and writes atomically. */
  async update(
    service: ServiceName,
    change: (current: ServiceRecord | undefined) => ServiceRecord | undefined,
  ): Promise<void> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const records = await this.read();
        const updated = change(records[service]);
        if (updated === undefined) delete records[service];
        else records[service] = updated;
        await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(temp, `${JSON.stringify({ version: 1, services: records }, null, 2)}\n`, {
            mode: 0o600,
          });
          await rename(temp, this.file);
        } finally {
          await unlink(temp).catch(() => undefined);
        }
      });
    queues.set(this.file, next);
    try {
      await next;
    } finally {
      if (queues.get(this.file) === next) queues.delete(this.file);
    }
  }
}

/** Keeps only well-formed records, so a hand-edited file cannot feed a bogus pid to kill(). */
function sanitize(raw: unknown): ServiceStateRecords {
  const out: ServiceStateRecords = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const service of ['postgres', 'redis', 'mongo'] as const) {
    const r = (raw as Record<string, unknown>)[service] as Record<string, unknown> | undefined;
    if (!r || !isPort(r.port)) continue;
    out[service] = {
      port: r.port,
      ...(isPid(r.pid) ? { pid: r.pid } : {}),
      ...(typeof r.startedAt === 'string' ? { startedAt: r.startedAt } : {}),
    };
  }
  return out;
}

function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
}

function isPid(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 1;
}
