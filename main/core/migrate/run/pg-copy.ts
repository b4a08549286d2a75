/**
 * `COPY … FROM STDIN` as a line sink: lines are gathered into ~256 KB chunks
 * and written with backpressure, so the server parses one chunk while the
 * engine converts the next rows, and memory stays bounded.
 *
 * A COPY can fail mid-stream (a key conflict, a value the column refuses);
 * pg-copy-streams then reports the error and sets its connection to null —
 * but a chunk waiting for the socket to drain would still be flushed through
 * that null connection later and throw from an event handler, killing the
 * process. So after an error the stream gets a connection that swallows
 * writes (the server drops CopyData after an error anyway), the sink stops
 * writing, and `end()` rejects with the error, leaving the connection usable.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const CHUNK_BYTES = 256 * 1024;

/** Stands in for the connection of a failed COPY stream: accepts and discards everything. */
const SWALLOW = {
  stream: { write: () => true, once: () => undefined },
  sendCopyFail: () => undefined,
};

export class CopySink {
  private readonly stream: ReturnType<typeof copyFrom>;
  private pending: string[] = [];
  private pendingBytes = 0;
  private error: Error | null = null;
  private readonly done: Promise<void>;
  rows = 0;

  constructor(client: pg.ClientBase, sql: string) {
    this.stream = client.query(copyFrom(sql));
    this.done = new Promise<void>((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', (err: Error) => {
        this.error = err;
        // After pg-copy-streams' own `this.connection = null`, which follows this event synchronously.
        queueMicrotask(() => {
          (this.stream as unknown as { connection: unknown }).connection = SWALLOW;
        });
        reject(err);
      });
    });
    // Observed through end(); never an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }

  get failed(): boolean {
    return this.error !== null;
  }

  /**
   * Adds one line (without its newline). Returns true when a chunk is ready:
   * the caller then awaits flush(). (No promise per line: this runs per row.)
   */
  push(line: string): boolean {
    if (this.error) return false;
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.rows++;
    return this.pendingBytes >= CHUNK_BYTES;
  }

  /** Finishes the COPY; rejects with the server's error if it failed. */
  async end(): Promise<void> {
    if (!this.error) {
      await this.flush();
      if (!this.error) this.stream.end();
    }
    await this.done;
  }

  /** Sends the gathered lines, waiting while the socket is full. */
  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.error) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const settle = (): void => {
          this.stream.off('drain', settle);
          this.stream.off('error', settle);
          resolve();
        };
        this.stream.on('drain', settle);
        this.stream.on('error', settle);
      });
    }
  }
}

/** COPYs `lines` in one go (the staging path). */
export async function copyLines(
  client: pg.ClientBase,
  sql: string,
  lines: Iterable<string>,
): Promise<void> {
  const sink = new CopySink(client, sql);
  for (const line of lines) if (sink.push(line)) await sink.flush();
  await sink.end();
}
