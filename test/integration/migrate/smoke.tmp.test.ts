import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, expect } from 'vitest';
import { runMigration } from '../../../main/core/migrate/migration-job.js';
import { Task } from '../../../main/core/tasks/task.js';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase } from '../../support/postgres.js';

it('smoke', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-smoke-'));
  const gen = generateLegacyDatabase(join(dir, 'log.sqlite'), { users: 30, logs: 500, kiosks: 4, quirks: true, walRows: true });
  const db = await createScratchDatabase();
  const task = new Task('migration', 'm', (ctx) => runMigration({ source: gen.file, jobDir: join(dir, 'job'), postgresUrl: db.url, batchSize: 100 }, ctx));
  task.on('progress', (s) => console.log(JSON.stringify(s.progress)));
  try {
    const report = await task.start();
    console.log(JSON.stringify(report, null, 1));
    expect(report.ok).toBe(true);
  } finally {
    console.log(dir, db.url);
  }
}, 120000);
