/**
 * Tables a plan sends to MongoDB: unordered bulk inserts with deterministic
 * `_id`s, exact duplicates merged, differing duplicates and NULL ids
 * rejected, the accounting exact and the collection verified by checksum —
 * on the Mongo test server (emulator or real mongod), next to a PostgreSQL
 * table in the same job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigration, type MigrationOptions } from '../../../main/core/migrate/migration-job.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { Task } from '../../../main/core/tasks/task.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { createEventsSource } from './events-fixture.js';

let dir: string;
let source: string;
let planFile: string;
let mongo: MongoTestServer;
let pgdb: ScratchDatabase;
const dbName = `nova_mig_${process.pid}`;

const EVENTS = 1200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-mongo-'));
  ({ source, planFile } = createEventsSource(dir, EVENTS));
  mongo = await startMongo();
  pgdb = await createScratchDatabase('nova_mig_mongo');
}, 180_000);

afterAll(async () => {
  const client = new MongoClient(mongo.url);
  await client
    .connect()
    .then(() => client.db(dbName).dropDatabase())
    .catch(() => undefined);
  await client.close();
  await mongo?.stop();
  await pgdb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function migrate(
  extra: Partial<MigrationOptions> = {},
  cancelAfterBatches?: number,
): Promise<MigrationReport> {
  let batches = 0;
  const task: Task<MigrationReport> = new Task('migration', 'mongo', (ctx) =>
    runMigration(
      {
        source,
        jobDir: join(dir, 'job'),
        planFile,
        targets: ['postgres', 'mongo'],
        postgresUrl: pgdb.url,
        mongoUrl: mongo.url,
        mongoDb: dbName,
        batchSize: 250,
        ...extra,
      },
      ctx,
    ),
  );
  task.on('progress', (s) => {
    if (
      s.progress.phase === 'load' &&
      s.progress.item === 'events' &&
      s.progress.done > 0 &&
      ++batches === cancelAfterBatches
    )
      task.cancel();
  });
  return task.start();
}

describe('a plan that loads into MongoDB', () => {
  it('cancelled after two batches, then resumed: every row accounted for once and the collection verified', async () => {
    await expect(migrate({}, 2)).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
    const report = await migrate({ resume: true });
    expect(report.ok).toBe(true);
    expect(report.resumed).toBe(true);
    expect(report.tables.events).toMatchObject({
      source: EVENTS + 4,
      migrated: EVENTS + 1,
      duplicates: 1,
      rejected: 2,
      verified: true,
      target: 'mongo:events',
    });
    expect(report.tables.notes).toMatchObject({
      source: 2,
      migrated: 2,
      verified: true,
      target: 'postgres:notes',
    });
    expect(report.rejects.map((r) => `${r.key} ${r.reason}`).sort()).toEqual([
      `id=${EVENTS + 2} duplicate key`,
      `id=${EVENTS + 3} not-null`,
    ]);

    const client = new MongoClient(mongo.url);
    await client.connect();
    try {
      const events = client.db(dbName).collection('events');
      expect(await events.countDocuments()).toBe(EVENTS + 1);
      const e5 = await events.findOne({ _id: 'E5' as never });
      expect(e5).toMatchObject({ code: 'E5', payload: { n: 5, tags: ['a', 'b'] } });
      expect(e5!.at).toEqual(new Date(Date.UTC(2024, 0, 1) + 5 * 60_000));
      const bad = await events.findOne({ _id: 'E-bad-date' as never });
      expect(bad!.at).toBeNull();
    } finally {
      await client.close();
    }
  });
});
