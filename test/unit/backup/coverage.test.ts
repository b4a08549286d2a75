/**
 * What a backup must hold for the configuration in force, and which
 * backups count: the blocker of issue 14 was a native profile without
 * mongod (documents in PostgreSQL JSONB) that could not be backed up, and a
 * dashboard that kept saying OK from a backup of the SQLite file no longer
 * in use.
 */
import { describe, expect, it } from 'vitest';
import { backupTargetsFromConfig } from '../../../main/core/backup/backup-targets.js';
import { coverageNeeds, coverageOf, describeCoverage } from '../../../main/core/backup/coverage.js';
import type { ManifestPart } from '../../../main/core/backup/manifest.js';
import { configSchema } from '../../../main/core/config/schema.js';

const parse = (v: Record<string, unknown>) => configSchema.parse({ NOVA_DATA_DIR: '/data', ...v });

const part = (service: ManifestPart['service'], source: string): ManifestPart => ({
  name: `${service}.part`,
  service,
  format:
    service === 'sqlite'
      ? 'sqlite-gzip'
      : service === 'mongo'
        ? 'mongo-ejson-gzip'
        : 'pg-dump-custom',
  bytes: 1,
  sha256: 'a'.repeat(64),
  encryption: null,
  source,
  serverVersion: null,
  tool: 'test',
  tables: [],
  notes: [],
});

const sqlitePart = part('sqlite', 'SQLite /data/nova.sqlite');
const pgPart = (where: string) => part('postgres', `PostgreSQL ${where}`);

describe('backup coverage', () => {
  it('native without mongod: documents travel in the PostgreSQL part, and the targets say so', () => {
    const config = parse({ NOVA_PROFILE: 'native' });
    const url = 'postgres://nova:secret@127.0.0.1:5999/nova';
    const needs = coverageNeeds(config, { documentsInRelational: true, postgresUrl: url });
    expect(needs.map((n) => [n.service, n.part])).toEqual([
      ['postgres', 'postgres'],
      ['mongo', 'postgres'],
      ['redis', null],
    ]);
    expect(needs[1]!.text).toMatch(/JSONB table nova_documents/);
    expect(needs[2]!.text).toMatch(/^Redis: cache, not backed up by design/);
    // The blocker: this used to throw "MONGODB_URL … cannot be backed up".
    const targets = backupTargetsFromConfig(
      config,
      { postgres: url },
      { documentsInRelational: true },
    );
    expect(Object.keys(targets)).toEqual(['postgres']);
    expect(() => backupTargetsFromConfig(config, { postgres: url })).toThrow(/MONGODB_URL/);
    expect(coverageOf([pgPart('127.0.0.1:5999/nova')], needs).covers).toBe(true);
    // A native server may come back on another port: the database is what must match.
    expect(coverageOf([pgPart('127.0.0.1:6001/nova')], needs).covers).toBe(true);
    expect(coverageOf([pgPart('127.0.0.1:5999/other')], needs).covers).toBe(false);
    expect(describeCoverage(needs)).toBe(
      'covers PostgreSQL (relational data, documents); Redis: cache, not backed up by design',
    );
  });

  it('a backup of the embedded file does not cover PostgreSQL after Setup moved the data', () => {
    const config = parse({
      NOVA_POSTGRES_PROFILE: 'external',
      POSTGRES_URL: 'postgres://u:p@db.example:5432/nova',
    });
    const needs = coverageNeeds(config, { documentsInRelational: true });
    const verdict = coverageOf([sqlitePart], needs);
    expect(verdict.covers).toBe(false);
    expect(verdict.missing.map((n) => n.service)).toEqual(['postgres', 'mongo']);
    // External servers are matched by host and port too: another server's "nova" is not this one.
    expect(coverageOf([pgPart('db.example:5432/nova')], needs).covers).toBe(true);
    expect(coverageOf([pgPart('other.example:5432/nova')], needs).covers).toBe(false);
  });

  it('documents in MongoDB need a MongoDB part of the configured database', () => {
    const config = parse({
      NOVA_PROFILE: 'external',
      POSTGRES_URL: 'postgres://u@db/nova',
      MONGODB_URL: 'mongodb://m/x',
      REDIS_URL: 'redis://r',
      MONGODB_DB: 'novadocs',
    });
    const needs = coverageNeeds(config, { documentsInRelational: false });
    const pg = pgPart('db:5432/nova');
    expect(coverageOf([pg], needs).missing.map((n) => n.service)).toEqual(['mongo']);
    expect(coverageOf([pg, part('mongo', 'MongoDB m/novadocs')], needs).covers).toBe(true);
    expect(coverageOf([pg, part('mongo', 'MongoDB m/other')], needs).covers).toBe(false);
  });

  it('the embedded profile needs its SQLite file, documents included', () => {
    const needs = coverageNeeds(parse({}), { documentsInRelational: true });
    expect(coverageOf([sqlitePart], needs).covers).toBe(true);
    expect(coverageOf([part('sqlite', 'SQLite /elsewhere/nova.sqlite')], needs).covers).toBe(false);
    expect(needs[2]!.text).toMatch(/^In-process cache: cache, not backed up by design/);
  });
});
