/**
 * Tables a plan sends to MongoDB: unordered bulk inserts with deterministic
 * `_id`s, exact duplicates merged, differing duplicates and NULL ids
 * rejected, the accounting exact and the collection verified by checksum —
 * on the Mongo test server (emulator or real mongod), next to a PostgreSQL
 * table in the same job.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigration, type MigrationOptions } from '../../../main/core/migrate/migration-job.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { Task } from '../../../main/core/tasks/task.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let dir: string;
let source: string;
let planFile: string;
let mongo: MongoTestServer;
let pgdb: ScratchDatabase;
const dbName = `nova_mig_${process.pid}`;

const EVENTS = 1200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-mongo-'));
  source = join(dir, 'app.sqlite');
  const db = new Database(source);
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, code TEXT, payload TEXT, at TEXT);
           CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);`);
  const ins = db.prepare('INSERT INTO events (id, code, payload, at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= EVENTS; i++)
      ins.run(i, `E${i}`, JSON.stringify({ n: i, tags: ['a', 'b'] }), new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString());
    ins.run(EVENTS + 1, 'E5', JSON.stringify({ n: 5, tags: ['a', 'b'] }), new Date(Date.UTC(2024, 0, 1) + 5 * 60_000).toISOString()); // exact duplicate of E5
    ins.run(EVENTS + 2, 'E6', '{"n": "different"}', '2024-02-02T00:00:00Z'); // same id, other content
    ins.run(EVENTS + 3, null, '{}', '2024-02-02T00:00:00Z'); // no id
    ins.run(EVENTS + 4, 'E-bad-date', '{}', 'not a date');
    db.prepare("INSERT INTO notes (id, body) VALUES (1, 'to postgres'), (2, 'me too')").run();
  })();
  db.close();
  planFile = join(dir, 'plan.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      version: 1,
      name: 'mongo-test',
      unknownTables: 'error',
      unknownColumns: 'error',
      tables: [
        {
          source: 'events',
          target: {
            kind: 'mongo',
            collection: 'events',
            idField: 'code',
            fields: [
              { source: 'id', target: 'legacy_id', type: 'long' },
              { source: 'code', target: 'code', type: 'string' },
              { source: 'payload', target: 'payload', type: 'object' },
              { source: 'at', target: 'at', type: 'date', onInvalid: 'null' },
            ],
          },
        },
        {
          source: 'notes',
          target: {
            kind: 'postgres',
            table: 'notes',
            create: true,
            columns: [
              { source: 'id', target: 'id', type: 'bigint', nullable: false },
              { source: 'body', target: 'body', type: 'text' },
            ],
            primaryKey: ['id'],
          },
        },
      ],
    }),
  );
  mongo = await startMongo();
  pgdb = await createScratchDatabase('nova_mig_mongo');
}, 180_000);

afterAll(async () => {
  const client = new MongoClient(mongo.url);
  await client.connect().then(() => client.db(dbName).dropDatabase()).catch(() => undefined);
  await client.close();
  await mongo?.stop();
  await pgdb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function migrate(extra: Partial<MigrationOptions> = {}, cancelAfterBatches?: number): Promise<MigrationReport> {
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
    if (s.progress.phase === 'load' && s.progress.item === 'events' && s.progress.done > 0 && ++batches === cancelAfterBatches) task.cancel();
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
    expect(report.tables.notes).toMatchObject({ source: 2, migrated: 2, verified: true, target: 'postgres:notes' });
    expect(report.rejects.map((r) => `${r.key} ${r.reason}`).sort()).toEqual([`id=${EVENTS + 2} duplicate key`, `id=${EVENTS + 3} not-null`]);

    const client = new MongoClient(mongo.url);
    await client.connect();
    try {
      const events = client.db(dbName).collection('events');
      expect(await events.countDocuments()).toBe(EVENTS + 1);
      const e5 = await events.findOne({ _id: 'E5' as never });
      expect(e5).toMatchObject({ legacy_id: 5, code: 'E5', payload: { n: 5, tags: ['a', 'b'] } });
      expect(e5!.at).toEqual(new Date(Date.UTC(2024, 0, 1) + 5 * 60_000));
      const bad = await events.findOne({ _id: 'E-bad-date' as never });
      expect(bad!.at).toBeNull();
    } finally {
      await client.close();
    }
  });
});
