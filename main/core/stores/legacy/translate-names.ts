/**
 * Names in a legacy statement: legacy table and column names become the
 * database's (`passwordHash` → `password_hash`, unquoted, quoted or
 * qualified), aliases keep one spelling on both sides (PostgreSQL folds case,
 * SQLite does not care), double-quoted words that name nothing become the
 * string literals SQLite took them for, and columns the product added for
 * itself (`updated_at`) stay invisible, as they were in the legacy file.
 *
 * It also works out the keys of the result rows the way SQLite names result
 * columns: the alias as written, the declared column name for a column, the
 * expression's source text otherwise — and expands `*` to the legacy columns.
 */
import { LegacySqliteError } from './legacy-errors.js';
import type { ViewColumn } from './legacy-schema.js';
import { kw, quoteIdent, quoteString, type Token } from './sql-lexer.js';
import { insideCast, nextCode, prevCode, type Scope, type TableRef } from './statement-scope.js';
import { sourceText, type TokenEdits } from './token-edits.js';

export type Dialect = 'postgres' | 'sqlite-product' | 'sqlite-legacy';

export interface ResolvedColumn {
  ref: TableRef;
  col: ViewColumn;
  /** First and last token index of the reference (qualifier included). */
  first: number;
  last: number;
}

export interface NamesResult {
  /** Column references found, by the index of their column token. */
  columns: Map<number, ResolvedColumn>;
  /** Result keys in order, or null when they cannot be known before running. */
  keys: string[] | null;
}

function isName(t: Token | undefined): boolean {
  return t !== undefined && (t.type === 'word' || t.type === 'qident');
}

/** How an alias is written on the target: one spelling for its definition and every use. */
function aliasText(dialect: Dialect, name: string): string {
  return dialect === 'postgres' ? quoteIdent(name.toLowerCase()) : quoteIdent(name);
}

export function translateNames(scope: Scope, edits: TokenEdits, dialect: Dialect): NamesResult {
  const { tokens } = scope;
  const columns = new Map<number, ResolvedColumn>();
  const tableTokens = new Set<number>();
  const insertTarget = scope.refs.find((r) => !r.fromClause && r.depth === 0);
  const insertColumns = new Set(scope.insert?.columns ?? []);
  const assigned = new Set(scope.assignments);
  const updateTarget = scope.kind === 'update' ? scope.refs.find((r) => r.depth === 0) : undefined;

  for (const ref of scope.refs) {
    tableTokens.add(ref.nameIndex);
    if (dialect === 'sqlite-legacy') continue;
    if (ref.schemaIndex !== null && dialect === 'postgres') {
      // main.users / temp.x: PostgreSQL has one schema on the search path.
      edits.remove(ref.schemaIndex, nextCode(scope, ref.schemaIndex));
    }
    if (ref.view && !ref.derived) edits.set(ref.nameIndex, quoteIdent(ref.view.target));
    if (ref.aliasIndex !== null) {
      tableTokens.add(ref.aliasIndex);
      edits.set(ref.aliasIndex, aliasText(dialect, ref.alias!));
    }
  }

  for (let p = 0; p < scope.code.length; p++) {
    const i = scope.code[p]!;
    const t = tokens[i]!;
    if (!isName(t) || tableTokens.has(i)) continue;
    const prev = tokens[prevCode(scope, i)];
    const next = tokens[nextCode(scope, i)];
    if (prev?.text === '.') continue; // handled with its qualifier
    if (next?.text === '(' && t.type === 'word') continue; // a function name
    if (next?.text === '.') {
      const colIdx = nextCode(scope, i, 2);
      resolveQualified(scope, edits, dialect, i, colIdx, insertTarget, columns);
      continue;
    }
    const lower = t.value.toLowerCase();
    if (kw(prev) === 'AS' && insideCast(scope, i)) continue;
    if (kw(prev) === 'AS' || isResultAlias(scope, i)) {
      if (dialect !== 'sqlite-legacy' && !scope.names.has(lower))
        edits.set(i, aliasText(dialect, t.value));
      continue;
    }
    if (kw(prev) === 'COLLATE') continue;
    const hit = resolveUnqualified(scope, lower);
    if (hit === 'hidden' && !scope.columnAliases.has(lower)) {
      throw noSuchColumn(scope, t.value, insertColumns.has(i) ? insertTarget : undefined);
    }
    if (hit && hit !== 'hidden') {
      columns.set(i, { ref: hit.ref, col: hit.col, first: i, last: i });
      if (dialect !== 'sqlite-legacy') edits.set(i, quoteIdent(hit.col.target));
      continue;
    }
    // SQLite names the first column an INSERT list or SET names that the table lacks.
    if (dialect !== 'sqlite-legacy' && insertColumns.has(i) && insertTarget?.view) {
      throw noSuchColumn(scope, t.value, insertTarget);
    }
    if (dialect !== 'sqlite-legacy' && assigned.has(i) && updateTarget?.view) {
      throw noSuchColumn(scope, t.value, undefined);
    }
    if (scope.columnAliases.has(lower)) {
      if (dialect !== 'sqlite-legacy') edits.set(i, aliasText(dialect, t.value));
      continue;
    }
    if (t.type === 'qident' && t.text.startsWith('"') && !scope.names.has(lower)) {
      // SQLite reads a double-quoted word that names nothing as a string.
      edits.set(i, quoteString(t.value));
    }
  }
  return { columns, keys: resultKeys(scope, edits, dialect, columns) };
}

function isResultAlias(scope: Scope, i: number): boolean {
  return scope.result?.some((r) => r.aliasIndex === i) === true;
}

type Hit = { ref: TableRef; col: ViewColumn } | 'hidden' | null;

function resolveUnqualified(scope: Scope, lower: string): Hit {
  let hidden = false;
  for (const ref of scope.refs) {
    const col = ref.view?.byLegacy.get(lower);
    if (col) return { ref, col };
    if (ref.view?.hidden.has(lower)) hidden = true;
  }
  return hidden ? 'hidden' : null;
}

function resolveQualified(
  scope: Scope,
  edits: TokenEdits,
  dialect: Dialect,
  qualIdx: number,
  colIdx: number,
  insertTarget: TableRef | undefined,
  columns: Map<number, ResolvedColumn>,
): void {
  const { tokens } = scope;
  const qual = tokens[qualIdx]!;
  const colTok = tokens[colIdx];
  const lower = qual.value.toLowerCase();
  const ref =
    scope.names.get(lower) ?? (lower === 'excluded' && scope.insert ? insertTarget : undefined);
  if (!ref) return;
  if (dialect !== 'sqlite-legacy' && lower !== 'excluded') {
    edits.set(
      qualIdx,
      ref.alias !== null && ref.alias.toLowerCase() === lower
        ? aliasText(dialect, qual.value)
        : ref.view
          ? quoteIdent(ref.view.target)
          : qual.text,
    );
  }
  if (!colTok || !isName(colTok) || !ref.view) return;
  const colLower = colTok.value.toLowerCase();
  const col = ref.view.byLegacy.get(colLower);
  if (col) {
    columns.set(colIdx, { ref, col, first: qualIdx, last: colIdx });
    if (dialect !== 'sqlite-legacy') edits.set(colIdx, quoteIdent(col.target));
  } else if (ref.view.hidden.has(colLower)) {
    throw new LegacySqliteError('SQLITE_ERROR', `no such column: ${qual.value}.${colTok.value}`);
  }
}

function noSuchColumn(
  scope: Scope,
  name: string,
  insertTarget: TableRef | undefined,
): LegacySqliteError {
  if (insertTarget) {
    return new LegacySqliteError(
      'SQLITE_ERROR',
      `table ${insertTarget.view?.legacy ?? insertTarget.name} has no column named ${name}`,
    );
  }
  void scope;
  return new LegacySqliteError('SQLITE_ERROR', `no such column: ${name}`);
}

/** Result keys the way SQLite names result columns; expands `*` on the upgraded schemas. */
function resultKeys(
  scope: Scope,
  edits: TokenEdits,
  dialect: Dialect,
  columns: Map<number, ResolvedColumn>,
): string[] | null {
  if (!scope.result || dialect === 'sqlite-legacy') return null;
  const { tokens } = scope;
  const keys: string[] = [];
  const fromRefs = scope.refs.filter((r) => r.fromClause && r.depth === 0);
  for (const item of scope.result) {
    if (item.starIndex !== null) {
      const refs = item.starQualifier
        ? fromRefs.filter(
            (r) => (r.alias ?? r.name).toLowerCase() === item.starQualifier!.toLowerCase(),
          )
        : fromRefs;
      if (refs.length === 0 || refs.some((r) => !r.view)) return null;
      const parts: string[] = [];
      for (const r of refs) {
        const qual = r.alias !== null ? aliasText(dialect, r.alias) : quoteIdent(r.view!.target);
        for (const c of r.view!.columns) {
          parts.push(`${qual}.${quoteIdent(c.target)}`);
          keys.push(c.legacy);
        }
      }
      edits.remove(item.first, item.last);
      edits.set(item.first, parts.join(', '));
      continue;
    }
    const resolved = columns.get(item.last);
    const direct = resolved && resolved.first === item.first && resolved.last === item.last;
    if (item.aliasIndex !== null) keys.push(tokens[item.aliasIndex]!.value);
    else if (direct) keys.push(resolved.col.legacy);
    else if (item.first === item.last && isName(tokens[item.first]))
      keys.push(tokens[item.first]!.value);
    else if (
      item.last === nextCode(scope, item.first, 2) &&
      tokens[nextCode(scope, item.first)]?.text === '.' &&
      isName(tokens[item.last])
    )
      keys.push(tokens[item.last]!.value);
    else keys.push(sourceText(tokens, item.first, item.last));
  }
  return keys;
}
