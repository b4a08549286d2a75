/**
 * Migration wizard sessions: one per source file taken through preflight.
 * The snapshot, the inspect report and the chosen plan live here between
 * the wizard's steps, so the legacy file is read once and a reloaded UI
 * continues where it was (it keeps the session id).
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationReportDto, MigrationRules } from '../../../shared-contract/index.js';
import { NovaError } from '../errors.js';
import type { InspectReport } from '../migrate/inspect.js';
import type { Plan } from '../migrate/plan-schema.js';
import type { SourceInfo } from '../migrate/preflight.js';
import type { ResolvedPlan } from '../migrate/resolved-plan.js';

export interface MigrationSession {
  id: string;
  file: string;
  /** Private work directory: the snapshot while it is inspected, later the dry run's reports. */
  workDir: string;
  /** Deleted as soon as it is inspected (handlers/migration.ts); kept for the record. */
  snapshotFile: string;
  sourceInfo: SourceInfo;
  report: InspectReport;
  kind: 'nova-legacy' | 'other';
  plan?: { plan: Plan; origin: 'builtin' | 'auto' | 'file'; resolved: ResolvedPlan; file?: string };
  /** The latest dry run's or run's report. */
  lastReport?: MigrationReportDto;
  /** The task working on this session right now, if any. */
  activeTaskId?: string;
  /** Rules for values, duplicates and orphans, used by the dry run, the run and a resume. */
  rules?: MigrationRules;
  /** The admin chose to keep the rows the target holds and skip the source's (migration-target.ts). */
  skipExisting?: boolean;
}

/** Session work directories are named by a random UUID; CLI job directories never are. */
const SESSION_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Sessions live in memory; their work directories briefly hold a full copy
 * of the legacy database (admin PINs, password hashes) — deleted right after
 * it is inspected — and then the dry runs' reports, which quote rows. A
 * session ends with the process that opened it, so its directory is removed
 * then (`endAll`); directories left by a process that died (killed between
 * snapshot and inspect, too) are removed at the next start (`sweepEnded`).
 */
export class MigrationSessions {
  private readonly sessions = new Map<string, MigrationSession>();

  constructor(private readonly dataDir: string) {}

  /** A fresh id and its work directory under `<data dir>/migrations/`. */
  allocate(): { id: string; workDir: string } {
    const id = randomUUID();
    return { id, workDir: path.join(this.dataDir, 'migrations', id) };
  }

  /** Removes the work directories of sessions no process owns any more (a crash left them). */
  async sweepEnded(): Promise<string[]> {
    const root = path.join(this.dataDir, 'migrations');
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of names) {
      if (!SESSION_DIR.test(name) || this.sessions.has(name)) continue;
      await rm(path.join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Ends every session: their snapshots are deleted. */
  async endAll(): Promise<void> {
    const dirs = [...this.sessions.values()].map((s) => s.workDir);
    this.sessions.clear();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  add(session: MigrationSession): MigrationSession {
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): MigrationSession {
    const session = this.sessions.get(id);
    if (!session) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `There is no migration session ${id} (Nova may have restarted since).`,
        {
          fix: 'Pick the source file again to start a new session.',
        },
      );
    }
    return session;
  }
}
