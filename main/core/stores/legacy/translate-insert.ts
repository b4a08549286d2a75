/**
 * INSERTs on the upgraded schemas: `INSERT OR IGNORE` → `ON CONFLICT DO
 * NOTHING`, `INSERT OR REPLACE` → a DELETE of what conflicts on any unique
 * key plus the INSERT, `RETURNING` of the integer key for `this.lastID`, the
 * identity sequence moved past explicit ids, inserts into the legacy keyless
 * junction tables, and the CURRENT_TIMESTAMP defaults of the legacy schema on
 * the embedded product schema.
 */
import { untranslatable } from './legacy-errors.js';
import type { ViewTable } from './legacy-schema.js';
import { kw, quoteIdent } from './sql-lexer.js';
import type { Scope, TableRef } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';
import type { ResolvedColumn } from './translate-names.js';
import type { ReplacePlan, StatementPlan } from './translate.js';

function insertTarget(scope: Scope): TableRef | undefined {
  return scope.refs.find((r) => !r.fromClause && r.depth === 0);
}

/** The end of the statement's own tokens (before trailing whitespace/comments). */
function lastCode(scope: Scope): number {
  return scope.code[scope.code.length - 1] ?? 0;
}

export function postgresInsert(
  scope: Scope,
  edits: TokenEdits,
  out: StatementPlan,
  columns: Map<number, ResolvedColumn>,
  sql: string,
): StatementPlan {
  const shape = scope.insert!;
  const target = insertTarget(scope);
  const table: ViewTable | undefined = target?.view;
  const conflict = shape.conflict;
  if (shape.conflictTokens.length > 0)
    edits.remove(shape.conflictTokens[0]!, shape.conflictTokens[1]!);
  const end =
    shape.returningIndex !== null
      ? scope.code[scope.code.indexOf(shape.returningIndex) - 1]!
      : lastCode(scope);
  let onConflict = '';
  if (
    (conflict === 'IGNORE' || (table?.keyless && conflict === null)) &&
    shape.upsertIndex === null
  ) {
    onConflict = ' ON CONFLICT DO NOTHING';
  }
  // The legacy junction tables had no key: every row went in (duplicates too).
  const keyless = table?.keyless && (conflict === null || conflict === 'IGNORE');
  if (keyless && shape.source === 'values') out.attemptedRows = shape.rows.length;
  if (onConflict) edits.after(end, onConflict);
  if (conflict === 'REPLACE') {
    if (!table || shape.source !== 'values' || !shape.columns) {
      throw untranslatable(
        'INSERT OR REPLACE without a column list and VALUES',
        'List the columns and give VALUES, or use INSERT … ON CONFLICT (key) DO UPDATE SET ….',
        sql,
      );
    }
    out.action = 'replace';
    out.replace = replaceDelete(scope, edits, table, columns);
    if (conflict === 'REPLACE' && kw(scope.tokens[scope.code[0]!]) === 'REPLACE') {
      edits.set(scope.code[0]!, 'INSERT');
    }
  }
  if (table) {
    if (!shape.columns && shape.source === 'values') {
      // Positional VALUES follow the legacy column order, which the plan records.
      edits.after(
        target!.aliasIndex ?? target!.nameIndex,
        ` (${table.columns.map((c) => quoteIdent(c.target)).join(', ')})`,
      );
    }
    const given = new Set(
      (shape.columns ?? []).map((i) => columns.get(i)?.col.target.toLowerCase() ?? ''),
    );
    if (table.rowidKey !== null) {
      const returning = [quoteIdent(table.rowidKey)];
      if (shape.upsertIndex !== null) returning.push('(xmax = 0)');
      edits.after(
        lastCode(scope),
        shape.returningIndex !== null
          ? `, ${returning.join(', ')}`
          : ` RETURNING ${returning.join(', ')}`,
      );
      out.hiddenTrailing = returning.length;
      out.insertedFlag = shape.upsertIndex !== null;
      out.lastIdReturned = true;
      if (given.has(table.rowidKey.toLowerCase()) || !shape.columns) {
        out.bumpSequence = { table: table.target, column: table.rowidKey };
      }
    }
  }
  out.sql = edits.text();
  return out;
}

/** DELETE of rows that share a unique key with the rows an INSERT OR REPLACE writes. */
function replaceDelete(
  scope: Scope,
  edits: TokenEdits,
  table: ViewTable,
  columns: Map<number, ResolvedColumn>,
): ReplacePlan {
  const shape = scope.insert!;
  const listed = (shape.columns ?? []).map((i) => columns.get(i)?.col.target.toLowerCase() ?? '');
  const keys = [table.primaryKey, ...table.uniqueKeys].filter(
    (k, n, all) =>
      k.length > 0 &&
      k.every((c) => listed.includes(c.toLowerCase())) &&
      all.findIndex((o) => o.join() === k.join()) === n,
  );
  const conditions: string[] = [];
  const deleteParams: number[] = [];
  // The DELETE numbers its own parameters: PostgreSQL refuses values it cannot type.
  const renumber = (text: string): string =>
    text.replace(/\$(\d+)/g, (_m, n: string) => {
      let k = deleteParams.indexOf(Number(n) - 1);
      if (k === -1) k = deleteParams.push(Number(n) - 1) - 1;
      return `$${k + 1}`;
    });
  for (const row of shape.rows) {
    for (const key of keys) {
      const parts = key.map((c) => {
        const v = row.values[listed.indexOf(c.toLowerCase())]!;
        return `${quoteIdent(c)} = ${renumber(edits.slice(v[0], v[1]).trim())}`;
      });
      conditions.push(`(${parts.join(' AND ')})`);
    }
  }
  if (conditions.length === 0) return { deleteSql: '', deleteParams };
  return {
    deleteSql: `DELETE FROM ${quoteIdent(table.target)} WHERE ${conditions.join(' OR ')}`,
    deleteParams,
  };
}

export function sqliteProductInsert(scope: Scope, edits: TokenEdits, out: StatementPlan): void {
  const shape = scope.insert!;
  const table = insertTarget(scope)?.view;
  if (!table) return;
  const keyless = table.keyless && (shape.conflict === null || shape.conflict === 'IGNORE');
  if (keyless && shape.source === 'values') {
    if (shape.conflict === null) edits.after(scope.code[0]!, ' OR IGNORE');
    out.attemptedRows = shape.rows.length;
  }
  // The legacy schema filled these with CURRENT_TIMESTAMP ('YYYY-MM-DD HH:MM:SS');
  // the product's own defaults write ISO text, which legacy readers did not get.
  if (shape.columns && shape.listOpen !== null && shape.source === 'values') {
    const listed = new Set(shape.columns.map((i) => scope.tokens[i]!.value.toLowerCase()));
    const missing = table.nowDefaults.filter((c) => !listed.has(c.legacy.toLowerCase()));
    if (missing.length === 0) return;
    const lastCol = shape.columns[shape.columns.length - 1]!;
    edits.after(lastCol, missing.map((c) => `, ${quoteIdent(c.target)}`).join(''));
    for (const row of shape.rows) {
      const last = row.values[row.values.length - 1];
      if (last) edits.after(last[1], missing.map(() => ", datetime('now')").join(''));
    }
  }
}
