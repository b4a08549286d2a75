/**
 * The SELECT that feeds convertRow: the table's readColumns in order, then
 * the rowid (when the table has one) as one extra trailing column — convertRow
 * addresses columns by index, so the trailing rowid never disturbs it and the
 * caller can use it for report keys and keyset paging (`afterRowid`), which
 * is what makes a resumed run start where the last one stopped.
 */
import { quoteIdent, quoteIdentList } from './sqlite-ident.js';
import type { ResolvedTable } from './resolved-plan.js';

export interface SelectOptions {
  /** Add `WHERE rowid > ?` (bind the last rowid seen). Needs a rowid. */
  afterRowid?: boolean;
  /** Add `LIMIT ?` (bind the batch size). */
  limit?: boolean;
}

export function selectSql(table: ResolvedTable, options: SelectOptions = {}): string {
  const rowid = table.rowidName === null ? null : quoteIdent(table.rowidName);
  if (options.afterRowid && rowid === null) {
    throw new TypeError(
      `${table.source} has no rowid (WITHOUT ROWID); page it by its key columns instead`,
    );
  }
  const columns = quoteIdentList(table.readColumns) + (rowid ? `, ${rowid}` : '');
  const order = rowid ?? (table.keyColumns.length > 0 ? quoteIdentList(table.keyColumns) : null);
  return [
    `SELECT ${columns} FROM ${quoteIdent(table.source)}`,
    options.afterRowid ? `WHERE ${rowid} > ?` : '',
    order ? `ORDER BY ${order}` : '',
    options.limit ? 'LIMIT ?' : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}
