/**
 * The PostgreSQL part without pg_dump: `postgres.jsonl.gz`, written and
 * read through the driver. One JSON value per line:
 *
 *   {"kind":"schema","script":{…}}                the rebuild script (postgres-driver-schema.ts)
 *   {"kind":"table","schema":…,"name":…,"columns":[…]}
 *   "1\tAda\t\\N"                                  one COPY text row per line, as a JSON string
 *   {"kind":"end","rows":N}                        after each table's rows
 *   {"kind":"done","tables":T}                     last line: the file is complete
 *
 * Export runs in one REPEATABLE READ transaction (a consistent snapshot) and
 * hashes the very lines it writes. Import runs in ONE transaction: drop the
 * user schemas, rebuild, COPY the rows, add keys/indexes/triggers, compare
 * row counts; the caller commits only after every service is staged.
 */
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { NovaError } from '../../errors.js';
import { RowSetHasher } from '../content-checksum.js';
import {
  PG_STABLE_OUTPUT_SETTINGS,
  listPgTables,
  pgColumnList,
  pgCopyOutLines,
  pgTableSql,
  quotePgIdent,
  type PgTableRef,
} from '../content-checksum-postgres.js';
import type { ManifestPart, TableContent } from '../manifest.js';
import { writePart } from '../part-files.js';
import {
  DROP_USER_SCHEMAS_SQL,
  connectPostgres,
  describePostgres,
  pgFailure,
  serverVersion,
  type PostgresBackupTarget,
} from '../postgres-connect.js';
import { capturePgSchema, type PgSchemaScript } from './postgres-driver-schema.js';
import type { PartJobOptions, StagedRestore } from '../part-types.js';

export const PG_JSONL_PART = 'postgres.jsonl.gz';
const FLUSH_BYTES = 64 * 1024;

export async function backupPostgresWithDriver(
  target: PostgresBackupTarget,
  dir: string,
  options: PartJobOptions = {},
): Promise<ManifestPart> {
  const client = await connectPostgres(target);
  try {
    const version = await serverVersion(client);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const script = await capturePgSchema(client);
    await client.query(PG_STABLE_OUTPUT_SETTINGS);
    const tables = await listPgTables(client);
    const contents: TableContent[] = [];
    async function* lines(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${JSON.stringify({ kind: 'schema', script })}\n`);
      for (const [i, table] of tables.entries()) {
        options.signal?.throwIfAborted();
        options.onProgress?.(`${table.schema}.${table.name}`, i, tables.length);
        let out = `${JSON.stringify({ kind: 'table', schema: table.schema, name: table.name, columns: table.columns })}\n`;
        const hasher = new RowSetHasher();
        for await (const line of pgCopyOutLines(client, table)) {
          hasher.add(line);
          out += `${JSON.stringify(line)}\n`;
          if (out.length >= FLUSH_BYTES) {
            yield Buffer.from(out);
            out = '';
          }
        }
        yield Buffer.from(`${out}${JSON.stringify({ kind: 'end', rows: hasher.rows })}\n`);
        contents.push({
          schema: table.schema,
          name: table.name,
          rows: hasher.rows,
          checksum: hasher.digest(),
        });
      }
      yield Buffer.from(`${JSON.stringify({ kind: 'done', tables: tables.length })}\n`);
    }
    const written = await writePart(dir, Readable.from(lines(), { objectMode: false }), {
      partName: PG_JSONL_PART,
      gzip: true,
      ...(options.key ? { key: options.key } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await client.query('COMMIT');
    return {
      name: PG_JSONL_PART,
      service: 'postgres',
      format: 'pg-jsonl-gzip',
      ...written,
      source: describePostgres(target),
      serverVersion: version.text,
      tool: 'nova-db driver export (COPY)',
      tables: contents,
      notes: script.notes,
    };
  } catch (err) {
    throw pgFailure(err, target);
  } finally {
    await client.end().catch(() => undefined);
  }
}

type Header =
  | { kind: 'schema'; script: PgSchemaScript }
  | { kind: 'table'; schema: string; name: string; columns: string[] }
  | { kind: 'end'; rows: number }
  | { kind: 'done'; tables: number };

function damaged(where: string, detail: string): NovaError {
  return new NovaError('BACKUP_CORRUPT', `${where}: the PostgreSQL part is damaged (${detail}).`, {
    fix: 'This backup cannot be trusted; use another backup.',
  });
}

async function runAll(client: pg.ClientBase, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await client.query(sql);
}

/** Writes one table's rows into COPY FROM STDIN, honouring back-pressure. */
class CopyIn {
  private buffer = '';
  rows = 0;
  constructor(private readonly stream: Writable) {}

  async row(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    this.rows += 1;
    if (this.buffer.length >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk !== '' && !this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}

/**
 * Loads the part into `target` inside one open transaction and checks row
 * counts against the manifest. Nothing is visible to others until commit();
 * discard() rolls everything back.
 */
export async function stagePostgresDriverRestore(
  target: PostgresBackupTarget,
  lines: AsyncIterable<string>,
  part: ManifestPart,
  where: string,
  options: PartJobOptions = {},
): Promise<StagedRestore> {
  const client = await connectPostgres(target);
  const end = () => client.end().catch(() => undefined);
  try {
    await client.query('BEGIN');
    await client.query(
      "SELECT set_config('search_path', '', true), set_config('check_function_bodies', 'off', true), set_config('client_min_messages', 'warning', true)",
    );
    await client.query(PG_STABLE_OUTPUT_SETTINGS);
    let script: PgSchemaScript | undefined;
    let copy: { table: PgTableRef; into: CopyIn } | undefined;
    const loaded = new Map<string, number>();
    let done = false;
    for await (const line of lines) {
      if (line === '') continue;
      if (done) throw damaged(where, 'data after the end marker');
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw damaged(where, 'a line is not JSON');
      }
      if (typeof value === 'string') {
        if (!copy) throw damaged(where, 'a row outside any table');
        await copy.into.row(value);
        continue;
      }
      const header = value as Header;
      if (header.kind === 'schema') {
        script = header.script;
        await client.query(DROP_USER_SCHEMAS_SQL);
        await runAll(
          client,
          script.schemas.map((s) => `CREATE SCHEMA ${quotePgIdent(s)}`),
        );
        await runAll(client, [...script.sequences, ...script.functions, ...script.tables]);
      } else if (header.kind === 'table') {
        if (!script || copy) throw damaged(where, 'a table section out of place');
        const table: PgTableRef = {
          schema: header.schema,
          name: header.name,
          columns: header.columns,
        };
        options.onProgress?.(`${table.schema}.${table.name}`, loaded.size, part.tables.length);
        const stream = client.query(
          copyStreams.from(`COPY ${pgTableSql(table)}${pgColumnList(table)} FROM STDIN`),
        );
        copy = { table, into: new CopyIn(stream) };
      } else if (header.kind === 'end') {
        if (!copy) throw damaged(where, 'an end marker outside any table');
        await copy.into.end();
        if (copy.into.rows !== header.rows)
          throw damaged(
            where,
            `${copy.table.name} has ${copy.into.rows} rows, its end marker says ${header.rows}`,
          );
        loaded.set(`${copy.table.schema}.${copy.table.name}`, copy.into.rows);
        copy = undefined;
      } else if (header.kind === 'done') {
        if (!script || copy) throw damaged(where, 'the end marker comes too early');
        for (const s of script.sequenceState) await client.query(s.sql, s.params);
        await runAll(client, [
          ...script.constraints,
          ...script.indexes,
          ...script.views,
          ...script.triggers,
        ]);
        done = true;
      } else {
        throw damaged(where, 'an unknown line');
      }
    }
    if (!done) throw damaged(where, 'it ends before its end marker');
    for (const t of part.tables) {
      const rows = loaded.get(`${t.schema ?? 'public'}.${t.name}`);
      if (rows !== t.rows)
        throw damaged(where, `${t.name} has ${rows ?? 'no'} rows, the manifest says ${t.rows}`);
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    await end();
    if (
      err instanceof NovaError &&
      (err.code === 'BACKUP_CORRUPT' || err.code === 'TASK_CANCELLED')
    )
      throw err;
    const mapped = pgFailure(err, target);
    throw new NovaError(
      'RESTORE_FAILED',
      `Restoring ${describePostgres(target)} failed, nothing was changed: ${mapped.message}`,
      {
        fix: mapped.fix ?? 'Fix the cause named above and run the restore again.',
        cause: err,
      },
    );
  }
  return {
    target: describePostgres(target),
    commit: async () => {
      try {
        await client.query('COMMIT');
      } catch (err) {
        const mapped = pgFailure(err, target);
        throw new NovaError(
          'RESTORE_FAILED',
          `Committing the restore of ${describePostgres(target)} failed: ${mapped.message}`,
          {
            fix: mapped.fix ?? 'Nothing was changed; run the restore again.',
            cause: err,
          },
        );
      } finally {
        await end();
      }
    },
    discard: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await end();
    },
  };
}
