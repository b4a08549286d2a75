/**
 * Which backup parts the current configuration needs, per service, and
 * whether a given backup has them (docs/backup-coverage.md). A backup only
 * counts — on the dashboard, in `/health`, in the tray — when it holds every
 * part the configuration writes data to *now*: a backup of the embedded
 * SQLite file says nothing about the PostgreSQL database the appliance
 * moved to, and a PostgreSQL backup of another database says nothing about
 * this one.
 *
 * Documents follow their store: in MongoDB they need a `mongo` part; in
 * SQLite JSON or PostgreSQL JSONB (`nova_documents`) they are tables of the
 * relational database and travel in its part. The cache is never backed up:
 * it is rebuilt from the databases.
 */
import { resolveSqliteFile } from '../config/sqlite-path.js';
import type { NovaConfig } from '../config/schema.js';
import { serviceProfiles } from '../config/schema.js';
import type { BackupService, ManifestPart } from './manifest.js';

export type CoverageService = 'postgres' | 'mongo' | 'redis';

/** What one service needs from a backup. */
export interface CoverageNeed {
  service: CoverageService;
  /** The data it holds, as a person names it. */
  role: 'relational data' | 'documents' | 'cache';
  /** The part that carries its data; null when it is not backed up by design. */
  part: BackupService | null;
  /** Which database the part must come from (compared with the manifest's `source`). */
  match: SourceMatch | null;
  /** One line for the Backups screen and `/health`, e.g. "Redis: cache, not backed up by design". */
  text: string;
}

/** How a part's recorded source is compared with the current target. */
export type SourceMatch =
  | { kind: 'sqlite'; file: string }
  /** Native and Docker servers may move to another port; the database name is what stays. */
  | { kind: 'postgres'; database: string; hostPort: string | null }
  | { kind: 'mongo'; database: string };

export interface CoverageInput {
  /** URLs of the servers the orchestrator started (native/docker), else the configured ones are used. */
  postgresUrl?: string;
  /** True when documents live in the relational store (embedded, or native without mongod). */
  documentsInRelational: boolean;
}

const RELATIONAL_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/** The needs of the configuration, one per service, in the order postgres, mongo, redis. */
export function coverageNeeds(config: NovaConfig, input: CoverageInput): CoverageNeed[] {
  const profiles = serviceProfiles(config);
  const relational = profiles.postgres === 'embedded' ? 'sqlite' : 'postgres';
  const relMatch = relationalMatch(config, profiles.postgres, input.postgresUrl);
  const needs: CoverageNeed[] = [
    {
      service: 'postgres',
      role: 'relational data',
      part: relational,
      match: relMatch,
      text:
        relational === 'sqlite'
          ? 'Relational data: in the SQLite part (the embedded database file)'
          : `Relational data: in the PostgreSQL part (database ${relMatch && relMatch.kind === 'postgres' ? relMatch.database : 'configured'})`,
    },
  ];
  if (input.documentsInRelational) {
    needs.push({
      service: 'mongo',
      role: 'documents',
      part: relational,
      match: relMatch,
      text:
        relational === 'sqlite'
          ? 'Documents: stored in the SQLite database, so they are in its part'
          : 'Documents: stored in PostgreSQL (JSONB table nova_documents), so they are in its part',
    });
  } else {
    needs.push({
      service: 'mongo',
      role: 'documents',
      part: 'mongo',
      match: { kind: 'mongo', database: config.MONGODB_DB },
      text: `Documents: in the MongoDB part (database ${config.MONGODB_DB})`,
    });
  }
  needs.push({
    service: 'redis',
    role: 'cache',
    part: null,
    match: null,
    text: `${profiles.redis === 'embedded' ? 'In-process cache' : 'Redis'}: cache, not backed up by design; it refills from the databases`,
  });
  return needs;
}

function relationalMatch(
  config: NovaConfig,
  profile: string,
  startedUrl: string | undefined,
): SourceMatch | null {
  if (profile === 'embedded') return { kind: 'sqlite', file: resolveSqliteFile(config) };
  const url = startedUrl ?? config.POSTGRES_URL;
  if (!url) return null;
  try {
    // The same defaults as describePostgres (the manifest's source), without loading the driver.
    const u = new URL(url);
    const user = decodeURIComponent(u.username) || 'postgres';
    const host =
      u.searchParams.get('host') || u.hostname.replace(/^\[(.+)\]$/, '$1') || 'localhost';
    const port = Number(u.searchParams.get('port') || u.port || 5432);
    return {
      kind: 'postgres',
      database: decodeURIComponent(u.pathname.slice(1)) || user,
      hostPort: profile === 'external' ? `${host}:${port}` : null,
    };
  } catch {
    return null;
  }
}

/** Whether `part` (from a manifest) carries the data `need` asks for. */
export function partMeets(part: ManifestPart, need: CoverageNeed): boolean {
  if (need.part === null || part.service !== need.part) return false;
  const m = need.match;
  if (!m) return true; // the target is unknown (not started): any part of the right kind
  // Sources read "SQLite <file>", "PostgreSQL <host>:<port>/<db>", "MongoDB <hosts>/<db>".
  if (m.kind === 'sqlite') return part.source === `SQLite ${m.file}`;
  const match = /^(?:PostgreSQL|MongoDB) (.*)\/([^/]*)$/.exec(part.source);
  if (!match) return false;
  if (match[2] !== m.database) return false;
  return m.kind === 'mongo' || m.hostPort === null || match[1] === m.hostPort;
}

export interface CoverageVerdict {
  covers: boolean;
  /** Needs with a part that this backup lacks. */
  missing: CoverageNeed[];
}

/** Whether a backup with these parts covers every need that has a part. */
export function coverageOf(
  parts: readonly ManifestPart[],
  needs: readonly CoverageNeed[],
): CoverageVerdict {
  const missing = needs.filter((n) => n.part !== null && !parts.some((p) => partMeets(p, n)));
  return { covers: missing.length === 0, missing };
}

/** "PostgreSQL (relational data, documents); Redis: cache, not backed up by design". */
export function describeCoverage(needs: readonly CoverageNeed[]): string {
  const byPart = new Map<string, string[]>();
  for (const n of needs) {
    if (n.part === null) continue;
    const label = n.part === 'mongo' ? 'MongoDB' : RELATIONAL_LABEL[n.part];
    byPart.set(label, [...(byPart.get(label) ?? []), n.role]);
  }
  const parts = [...byPart].map(([label, roles]) => `${label} (${roles.join(', ')})`);
  const notBacked = needs.filter((n) => n.part === null).map((n) => n.text.replace(/; .*$/, ''));
  return [`covers ${parts.join(' and ')}`, ...notBacked].join('; ');
}
