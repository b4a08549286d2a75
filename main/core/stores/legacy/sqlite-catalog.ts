/**
 * The catalog of a SQLite database (tables, columns, primary and unique
 * keys) in the form the legacy view is built from: read from the embedded
 * database by its driver, and from the in-memory legacy schema the shadow
 * validator prepares statements on.
 */
import type Database from 'better-sqlite3';
import type { LiveCatalog } from './legacy-schema.js';
import { quoteIdent } from './sql-lexer.js';

export function loadSqliteCatalog(db: Database.Database): LiveCatalog {
  const catalog: LiveCatalog = new Map();
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    const info = db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }[];
    const uniqueKeys: string[][] = [];
    let primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexes = db.prepare(`PRAGMA index_list(${quoteIdent(name)})`).all() as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[];
    for (const idx of indexes) {
      if (!idx.unique || idx.partial) continue;
      const cols = (
        db.prepare(`PRAGMA index_info(${quoteIdent(idx.name)})`).all() as { name: string | null }[]
      ).map((c) => c.name);
      if (cols.some((c) => c === null)) continue;
      if (idx.origin === 'pk') primaryKey = cols as string[];
      else uniqueKeys.push(cols as string[]);
    }
    catalog.set(name.toLowerCase(), {
      name,
      columns: info.map((c) => ({
        name: c.name,
        dataType: c.type.toLowerCase(),
        notNull: c.notnull === 1,
        defaultSql: c.dflt_value,
      })),
      primaryKey,
      uniqueKeys,
    });
  }
  return catalog;
}
