/**
 * A test hook for crash tests: with `NOVA_MIGRATE_PAUSE_AT=<point>` in the
 * environment, the engine stops at that point, writes the point's name to a
 * marker file and waits forever, so a test can SIGKILL the process at a
 * precise, reproducible moment and then check that a resumed run finishes the
 * job with nothing lost or doubled. Inert unless the variable is set.
 *
 * Points:
 * - `batch:<source table>:<n>` — inside the n-th batch (1-based) of this run
 *   for that table, after its rows were sent, before its transaction commits;
 * - `after-table:<source table>` — after the table's load committed, before
 *   the next table starts;
 * - `index:<target table>` — inside each transaction that rebuilds one of the table's
 *   deferred indexes (built in parallel), after CREATE INDEX ran, before it commits.
 *
 * The marker file is `NOVA_MIGRATE_PAUSE_MARKER`, else `paused-at` in the job
 * directory. With `NOVA_MIGRATE_PAUSE_RESUME=1` the engine goes on once the
 * test deletes the marker, so a test can change the world underneath it
 * (stop the database server, fail it over) and watch how the run ends.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class PauseHook {
  private readonly point: string | undefined;
  private readonly marker: string;
  private readonly resumeOnDelete: boolean;

  constructor(jobDir: string, env: Record<string, string | undefined> = process.env) {
    this.point = env.NOVA_MIGRATE_PAUSE_AT || undefined;
    this.marker = env.NOVA_MIGRATE_PAUSE_MARKER || join(jobDir, 'paused-at');
    this.resumeOnDelete = env.NOVA_MIGRATE_PAUSE_RESUME === '1';
  }

  /** Never resolves when `point` is the configured one (unless resumable: then when the marker is gone); resolves at once otherwise. */
  async at(point: string): Promise<void> {
    if (this.point === undefined || this.point !== point) return;
    writeFileSync(this.marker, point);
    if (this.resumeOnDelete) {
      while (existsSync(this.marker)) await new Promise((r) => setTimeout(r, 50));
      return;
    }
    // A timer keeps the event loop alive: the process waits here until it is killed.
    await new Promise<never>(() => setInterval(() => undefined, 60_000));
  }
}
