/**
 * Telling a legacy SQLite file (the old API's `log.sqlite`) from one that
 * holds the product's schema. Both the store opener (which keeps the
 * product's tables in a companion file beside a legacy one) and the legacy
 * db (which opens a legacy file as it is) ask this; it lives with the
 * SQLite store so the store layer never reaches up into the legacy db.
 */

/** True when the SQLite file holds tables but not the product's schema: open it as it is. */
export function isLegacySqliteFile(db: { prepare(sql: string): { all(): unknown[] } }): boolean {
  const names = (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]
  ).map((r) => r.name.toLowerCase());
  return names.length > 0 && !names.includes('nova_schema_migrations');
}
