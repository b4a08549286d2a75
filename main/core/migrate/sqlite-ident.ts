/**
 * SQLite identifiers that come from a database file are data, not code: a
 * legacy file can hold a table named `x"; DROP TABLE users; --`. Every
 * identifier this engine puts into SQL goes through quoteIdent; every value
 * is bound as a parameter.
 */

/** `name` as a double-quoted SQL identifier, embedded quotes doubled (SQL standard; SQLite and PostgreSQL agree). */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) {
    // Neither SQLite nor PostgreSQL can name anything with a NUL; refusing here
    // beats producing SQL that silently truncates at the NUL.
    throw new TypeError(`Identifier contains a NUL character: ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** A comma-separated, quoted column list: `"a", "b"`. */
export function quoteIdentList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}

/** Storage classes SQLite reports through typeof(), in a fixed order. */
export const STORAGE_CLASSES = ['integer', 'real', 'text', 'blob', 'null'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** SQLite's column affinity, derived from a declared type (https://sqlite.org/datatype3.html §3.1). */
export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/**
 * The affinity SQLite itself gives a declared type; the rules are applied in
 * this order, so `CHARINT` is INTEGER and `FLOATING POINT` is INTEGER too.
 */
export function affinityOf(declaredType: string): Affinity {
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t === '' || t.includes('BLOB')) return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}
