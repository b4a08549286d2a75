/**
 * A small SQLite source and plan for tests of tables loaded into MongoDB:
 * `events` (→ the Mongo collection `events`, keyed by `code`) with an exact
 * duplicate, a differing duplicate, a NULL key and an unparseable date, and
 * `notes` (→ a PostgreSQL table the plan creates).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function createEventsSource(
  dir: string,
  events: number,
): { source: string; planFile: string } {
  const source = join(dir, 'app.sqlite');
  const db = new Database(source);
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, code TEXT, payload TEXT, at TEXT);
           CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);`);
  const ins = db.prepare('INSERT INTO events (id, code, payload, at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= events; i++)
      ins.run(
        i,
        `E${i}`,
        JSON.stringify({ n: i, tags: ['a', 'b'] }),
        new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      );
    ins.run(
      events + 1,
      'E5',
      JSON.stringify({ n: 5, tags: ['a', 'b'] }),
      new Date(Date.UTC(2024, 0, 1) + 5 * 60_000).toISOString(),
    ); // exact duplicate of E5
    ins.run(events + 2, 'E6', '{"n": "different"}', '2024-02-02T00:00:00Z'); // same id, other content
    ins.run(events + 3, null, '{}', '2024-02-02T00:00:00Z'); // no id
    ins.run(events + 4, 'E-bad-date', '{}', 'not a date');
    db.prepare("INSERT INTO notes (id, body) VALUES (1, 'to postgres'), (2, 'me too')").run();
  })();
  db.close();
  const planFile = join(dir, 'plan.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      version: 1,
      name: 'mongo-test',
      unknownTables: 'error',
      // events.id is the SQLite key, not data: documents are keyed by their code.
      unknownColumns: 'skip',
      tables: [
        {
          source: 'events',
          target: {
            kind: 'mongo',
            collection: 'events',
            idField: 'code',
            fields: [
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
  return { source, planFile };
}
