/**
 * The acceptance round trip on real servers: fill PostgreSQL (a scratch
 * database on the machine's server), MongoDB (the test server) and SQLite,
 * back up, wipe, restore, compare content checksums — through pg_dump and
 * through the built-in driver export, with and without encryption. Damage
 * and wrong passphrases are refused with every target unchanged, and a
 * restore that fails at PostgreSQL leaves MongoDB and SQLite untouched.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { BackupTargets } from '../../../main/core/backup/backup-targets.js';
import { mongoContentChecksums } from '../../../main/core/backup/content-checksum-mongo.js';
import { postgresContentChecksums } from '../../../main/core/backup/content-checksum-postgres.js';
import { withPostgres } from '../../../main/core/backup/postgres-connect.js';
import { restoreBackup } from '../../../main/core/backup/restore-backup.js';
import { readBackup } from '../../../main/core/backup/backup-store.js';
import { restorePgDumpFile } from '../../../main/core/backup/parts/postgres-dump-part.js';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { verifyBackup } from '../../../main/core/backup/verify-backup.js';
import type { TableContent } from '../../../main/core/backup/manifest.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import {
  createScratchDatabase,
  withAdminClient,
  type ScratchDatabase,
} from '../../support/postgres.js';
import {
  TEST_KDF,
  fillMongo,
  fillPostgres,
  fillSqlite,
  flipByte,
  novaFailure,
  sqliteChecksums,
} from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-test-');
let mongo: MongoTestServer;
let mongoClient: MongoClient;
let pgDb: ScratchDatabase;
let mongoDb: string;
let root: string;
let targets: BackupTargets;
const extraDbs: ScratchDatabase[] = [];

beforeAll(async () => {
  mongo = await startMongo();
  mongoClient = new MongoClient(mongo.url);
  await mongoClient.connect();
});

afterAll(async () => {
  await mongoClient?.close();
  await mongo?.stop();
});

beforeEach(async () => {
  root = await tempDir();
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  pgDb = await createScratchDatabase('nova_backup');
  await fillPostgres(pgDb.url);
  mongoDb = `nova_backup_${randomBytes(4).toString('hex')}`;
  await fillMongo(mongo.url, mongoDb);
  const file = await fillSqlite(dataDir);
  targets = {
    sqlite: { file },
    postgres: { url: pgDb.url },
    mongo: { url: mongo.url, dbName: mongoDb },
  };
});

afterEach(async () => {
  await pgDb?.drop();
  for (const d of extraDbs.splice(0)) await d.drop();
  await mongoClient
    .db(mongoDb)
    .dropDatabase()
    .catch(() => undefined);
});

interface Contents {
  sqlite: TableContent[];
  postgres: TableContent[];
  mongo: TableContent[];
}

async function contents(t: BackupTargets = targets): Promise<Contents> {
  return {
    sqlite: sqliteChecksums(t.sqlite!.file),
    postgres: await withPostgres(t.postgres!, (c) => postgresContentChecksums(c)),
    mongo: await mongoContentChecksums(mongoClient.db(t.mongo!.dbName)),
  };
}

async function wipeAll(): Promise<void> {
  await withAdminClient(
    (c) => c.query('DROP SCHEMA public CASCADE; DROP SCHEMA extra CASCADE; CREATE SCHEMA public'),
    pgDb.url,
  );
  await mongoClient.db(mongoDb).dropDatabase();
  await rm(targets.sqlite!.file);
}

/** What only a faithful schema restore gets right: sequences, identity, trigger, view, constraints. */
async function expectWorkingSchema(url: string): Promise<void> {
  await withAdminClient(async (c) => {
    expect((await c.query("SELECT nextval('ticket_seq') AS n")).rows[0].n).toBe('102');
    const inserted = await c.query(
      "INSERT INTO parent (name) VALUES ('after restore') RETURNING id",
    );
    expect(inserted.rows[0].id).toBe(41);
    const updated = await c.query('UPDATE parent SET name = $1 WHERE id = 1 RETURNING updated', [
      'renamed',
    ]);
    expect(updated.rows[0].updated).not.toBeNull();
    expect((await c.query('SELECT count(*)::int AS n FROM parent_names')).rows[0].n).toBe(41);
    await expect(
      c.query('INSERT INTO child (parent_id, amount) VALUES (9999, 1)'),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(
      c.query('INSERT INTO child (parent_id, amount) VALUES (1, -1)'),
    ).rejects.toMatchObject({ code: '23514' });
    expect((await c.query('SELECT doubled FROM child WHERE id = 2')).rows[0].doubled).toBe('6.000');
  }, url);
}

async function scratchDatabases(): Promise<string[]> {
  const { rows } = await withAdminClient((c) =>
    c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'nova_verify_%'",
    ),
  );
  return rows.map((r) => r.datname);
}

function scratch() {
  return { postgres: targets.postgres!, mongo: targets.mongo! };
}

describe('backup and restore on real servers', () => {
  it('round-trips PostgreSQL (pg_dump), MongoDB and SQLite', async () => {
    const before = await contents();
    expect(before.postgres.map((t) => `${t.schema}.${t.name}:${t.rows}`)).toEqual(
      expect.arrayContaining([
        'extra.notes:1',
        'public.Odd "Name":2',
        'public.child:300',
        'public.parent:40',
        'public.users:1',
      ]),
    );
    expect(before.postgres.find((t) => t.name === 'nova_schema_migrations')?.rows).toBeGreaterThan(
      0,
    );
    const summary = await createBackup({ backupDir: path.join(root, 'backups'), targets });
    expect(summary.parts.map((p) => p.format)).toEqual([
      'sqlite-gzip',
      'pg-dump-custom',
      'mongo-ejson-gzip',
    ]);

    const scratchBefore = new Set(await scratchDatabases());
    const verified = await verifyBackup(summary.path, { scratch: scratch() });
    expect(verified.trialRestored).toBe(true);
    expect(verified.parts.every((p) => p.trialRestore === 'ok')).toBe(true);
    // Trial restores clean up their scratch databases. Other suites verify
    // backups on the same server at the same time, so a scratch database that
    // appeared meanwhile may be theirs: it must be gone within a few seconds
    // (theirs are dropped when their verify ends; a leak of ours never is).
    let left: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      left = (await scratchDatabases()).filter((name) => !scratchBefore.has(name));
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(left).toEqual([]);

    await wipeAll();
    await restoreBackup(summary.path, { targets, confirm: true });
    expect(await contents()).toEqual(before);
    await expectWorkingSchema(pgDb.url);
    const indexes = await mongoClient.db(mongoDb).collection('sessions').listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'sid_1')).toMatchObject({ unique: true });
  });

  it('round-trips through the built-in export, encrypted', async () => {
    const before = await contents();
    const passphrase = 'a long enough passphrase';
    const summary = await createBackup({
      backupDir: path.join(root, 'backups'),
      targets,
      postgresMethod: 'driver',
      passphrase,
      kdfCost: TEST_KDF,
    });
    expect(summary.parts.map((p) => p.format)).toEqual([
      'sqlite-gzip',
      'pg-jsonl-gzip',
      'mongo-ejson-gzip',
    ]);
    expect(summary.parts[1]!.notes.join(' ')).toMatch(/ownership, privileges and comments/);

    const verified = await verifyBackup(summary.path, { passphrase, scratch: scratch() });
    expect(verified).toMatchObject({ encrypted: true, trialRestored: true });

    await wipeAll();
    await restoreBackup(summary.path, { targets, confirm: true, passphrase });
    expect(await contents()).toEqual(before);
    await expectWorkingSchema(pgDb.url);
  });

  it('restores into another PostgreSQL database and MongoDB database than it came from', async () => {
    const before = await contents();
    const summary = await createBackup({ backupDir: path.join(root, 'backups'), targets });
    const other = await createScratchDatabase('nova_backup_other');
    extraDbs.push(other);
    const otherMongo = `${mongoDb}_other`;
    const elsewhere: BackupTargets = {
      ...targets,
      postgres: { url: other.url },
      mongo: { url: mongo.url, dbName: otherMongo },
    };
    try {
      await restoreBackup(summary.path, { targets: elsewhere, confirm: true });
      const after = await contents(elsewhere);
      expect(after.postgres).toEqual(before.postgres);
      expect(after.mongo).toEqual(before.mongo);
    } finally {
      await mongoClient.db(otherMongo).dropDatabase();
    }
  });

  it('refuses a backup with one flipped byte and leaves every target unchanged', async () => {
    const summary = await createBackup({
      backupDir: path.join(root, 'backups'),
      targets,
      postgresMethod: 'driver',
    });
    flipByte(path.join(summary.path, 'postgres.jsonl.gz'));
    await withAdminClient((c) => c.query('DELETE FROM child WHERE id > 100'), pgDb.url);
    await mongoClient.db(mongoDb).collection('audit_logs').deleteMany({});
    const current = await contents();
    const err = await novaFailure(
      verifyBackup(summary.path, { scratch: scratch() }),
      'BACKUP_CORRUPT',
    );
    expect(err.message).toMatch(/postgres\.jsonl\.gz is damaged/);
    await novaFailure(restoreBackup(summary.path, { targets, confirm: true }), 'BACKUP_CORRUPT');
    expect(await contents()).toEqual(current);
  });

  it('refuses a wrong passphrase in verify and restore, and leaves every target unchanged', async () => {
    const summary = await createBackup({
      backupDir: path.join(root, 'backups'),
      targets,
      passphrase: 'the right passphrase',
      kdfCost: TEST_KDF,
    });
    await withAdminClient((c) => c.query('TRUNCATE child'), pgDb.url);
    const current = await contents();
    await novaFailure(
      verifyBackup(summary.path, { passphrase: 'not the right one', scratch: scratch() }),
      'BACKUP_PASSPHRASE',
    );
    await novaFailure(
      restoreBackup(summary.path, { targets, confirm: true, passphrase: 'not the right one' }),
      'BACKUP_PASSPHRASE',
    );
    expect(await contents()).toEqual(current);
  });

  it('never half-applies: a restore that fails at PostgreSQL leaves MongoDB and SQLite as they were', async () => {
    const summary = await createBackup({ backupDir: path.join(root, 'backups'), targets });
    await mongoClient
      .db(mongoDb)
      .collection('sessions')
      .deleteMany({ sid: { $in: ['s1', 's2'] } });
    await withAdminClient((c) => c.query('DELETE FROM parent WHERE id = 5'), pgDb.url);
    const current = await contents();
    // New sessions on the target are read-only, so the restore transaction fails at its first write.
    await withAdminClient((c) =>
      c.query(`ALTER DATABASE "${pgDb.name}" SET default_transaction_read_only = on`),
    );
    const err = await novaFailure(
      restoreBackup(summary.path, { targets, confirm: true }),
      'RESTORE_FAILED',
    );
    expect(err.message).toMatch(/read-only transaction/);
    await withAdminClient((c) =>
      c.query(`ALTER DATABASE "${pgDb.name}" RESET default_transaction_read_only`),
    );
    expect(await contents()).toEqual(current);
    const names = (await mongoClient.db(mongoDb).listCollections().toArray()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('nova_restore_'))).toEqual([]);
  });

  it('never commits a pg_dump archive that pg_restore could only read part of', async () => {
    const summary = await createBackup({ backupDir: path.join(root, 'backups'), targets });
    const { manifest } = await readBackup(summary.path);
    const part = manifest.parts.find((p) => p.format === 'pg-dump-custom')!;
    // Past the manifest's checks (as a disk error during the restore would be): the archive ends early.
    const cut = path.join(root, 'cut.dump');
    const whole = await readFile(path.join(summary.path, part.name));
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    await withAdminClient((c) => c.query('DELETE FROM child WHERE id % 2 = 0'), pgDb.url);
    const current = await contents();
    const err = await novaFailure(
      restorePgDumpFile(targets.postgres!, cut, part),
      'RESTORE_FAILED',
    );
    expect(err.message).toMatch(/\(pg_restore\)/);
    expect(await contents()).toEqual(current);
  });
});
