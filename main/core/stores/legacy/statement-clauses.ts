/**
 * The clauses of a statement the rewrites look into: the outermost result
 * list (SELECT or RETURNING) with each item's alias or `*`, an INSERT's
 * column list, VALUES rows and conflict clause, and the columns an UPDATE
 * assigns.
 */
import { kw } from './sql-lexer.js';
import { isName, matchingParen, nextCode, pos, insideCast } from './scope-navigation.js';
import type { InsertShape, ResultItem, Scope } from './statement-scope.js';

/** Keywords that cannot be an implicit column alias at the end of a result item. */
const NOT_COLUMN_ALIAS = new Set([
  'END',
  'NULL',
  'TRUE',
  'FALSE',
  'CURRENT_TIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'DISTINCT',
  'ALL',
  'NOCASE',
  'BINARY',
  'RTRIM',
  'ASC',
  'DESC',
]);

/** The outermost SELECT's result list (or RETURNING list), and every column alias in the statement. */
export function collectResult(scope: Scope): void {
  const { tokens, code, depth } = scope;
  for (let p = 0; p < code.length; p++) {
    const i = code[p]!;
    if (
      kw(tokens[i]) === 'AS' &&
      isName(tokens[code[p + 1]!]) &&
      tokens[code[p + 2]!]?.text !== '(' &&
      !insideCast(scope, i)
    ) {
      // Column aliases (table aliases are already in `names`).
      const a = tokens[code[p + 1]!]!.value.toLowerCase();
      if (!scope.names.has(a)) scope.columnAliases.add(a);
    }
  }
  let start = -1;
  let stopWords: Set<string>;
  const selectAt = code.findIndex((i) => depth[i] === 0 && kw(tokens[i]) === 'SELECT');
  const returningAt = code.findIndex((i) => depth[i] === 0 && kw(tokens[i]) === 'RETURNING');
  if (scope.kind === 'select' && selectAt !== -1) {
    start = selectAt + 1;
    const k = kw(tokens[code[start]!]);
    if (k === 'DISTINCT' || k === 'ALL') start++;
    stopWords = new Set([
      'FROM',
      'WHERE',
      'GROUP',
      'HAVING',
      'ORDER',
      'LIMIT',
      'UNION',
      'EXCEPT',
      'INTERSECT',
      'WINDOW',
    ]);
  } else if (returningAt !== -1) {
    start = returningAt + 1;
    stopWords = new Set();
  } else return;
  const items: ResultItem[] = [];
  let itemStart = start;
  let p = start;
  for (; p <= code.length; p++) {
    const i = code[p];
    const atEnd =
      i === undefined ||
      (depth[i] === 0 && (tokens[i]!.text === ',' || stopWords.has(kw(tokens[i]))));
    if (!atEnd) continue;
    if (p > itemStart) items.push(resultItem(scope, itemStart, p - 1));
    if (i === undefined || tokens[i]!.text !== ',') break;
    itemStart = p + 1;
  }
  scope.result = items;
}

function resultItem(scope: Scope, fromPos: number, toPos: number): ResultItem {
  const { tokens, code } = scope;
  const first = code[fromPos]!;
  let last = code[toPos]!;
  const item: ResultItem = { first, last, aliasIndex: null, starIndex: null, starQualifier: null };
  const lastTok = tokens[last]!;
  if (lastTok.text === '*') {
    if (toPos === fromPos) item.starIndex = last;
    else if (toPos === fromPos + 2 && tokens[code[fromPos + 1]!]!.text === '.') {
      item.starIndex = last;
      item.starQualifier = tokens[first]!.value;
    }
    return item;
  }
  if (toPos > fromPos && (isName(lastTok) || lastTok.type === 'string')) {
    const before = tokens[code[toPos - 1]!]!;
    if (kw(before) === 'AS') {
      item.aliasIndex = last;
      last = code[toPos - 2]!;
    } else if (
      before.text !== '.' &&
      !NOT_COLUMN_ALIAS.has(kw(lastTok)) &&
      kw(before) !== 'COLLATE' &&
      (before.type !== 'punct' || before.text === ')') &&
      !(
        before.type === 'word' &&
        /^(NOT|IS|AND|OR|LIKE|GLOB|IN|BETWEEN|THEN|ELSE|WHEN|CASE)$/.test(kw(before))
      )
    ) {
      item.aliasIndex = last;
      last = code[toPos - 1]!;
    }
  }
  if (item.aliasIndex !== null)
    scope.columnAliases.add(tokens[item.aliasIndex]!.value.toLowerCase());
  item.last = last;
  return item;
}

export function insertShape(scope: Scope): InsertShape {
  const { tokens, code, depth } = scope;
  const shape: InsertShape = {
    columns: null,
    listOpen: null,
    rows: [],
    source: 'values',
    conflict: null,
    conflictTokens: [],
    upsertIndex: null,
    returningIndex: null,
  };
  const insertPos = code.findIndex(
    (i) => depth[i] === 0 && /^(INSERT|REPLACE)$/.test(kw(tokens[i])),
  );
  if (kw(tokens[code[insertPos]!]) === 'REPLACE') {
    shape.conflict = 'REPLACE';
  } else if (kw(tokens[code[insertPos + 1]!]) === 'OR') {
    shape.conflict = kw(tokens[code[insertPos + 2]!]);
    shape.conflictTokens = [code[insertPos + 1]!, code[insertPos + 2]!];
  }
  const target = scope.refs.find((r) => !r.fromClause && r.depth === 0);
  if (!target) return shape;
  let p = pos(scope, target.aliasIndex ?? target.nameIndex) + 1;
  if (tokens[code[p]!]?.text === '(') {
    const open = code[p]!;
    const close = matchingParen(scope, open);
    shape.listOpen = open;
    shape.columns = [];
    for (let q = p + 1; code[q] !== undefined && code[q]! < close; q++) {
      if (isName(tokens[code[q]!])) shape.columns.push(code[q]!);
    }
    p = pos(scope, close) + 1;
  }
  const k = kw(tokens[code[p]!]);
  if (k === 'DEFAULT') shape.source = 'default';
  else if (k === 'SELECT' || k === 'WITH') shape.source = 'select';
  else if (k === 'VALUES') {
    p++;
    while (tokens[code[p]!]?.text === '(') {
      const open = code[p]!;
      const close = matchingParen(scope, open);
      const values: [number, number][] = [];
      let startPos = p + 1;
      for (let q = p + 1; ; q++) {
        const i = code[q]!;
        if (i === close || (tokens[i]!.text === ',' && depth[i] === depth[open]! + 1)) {
          if (q > startPos) values.push([code[startPos]!, code[q - 1]!]);
          startPos = q + 1;
          if (i === close) break;
        }
      }
      shape.rows.push({ open, close, values });
      p = pos(scope, close) + 1;
      if (tokens[code[p]!]?.text !== ',') break;
      p++;
    }
  }
  for (const i of code) {
    if (depth[i] !== 0) continue;
    if (
      kw(tokens[i]) === 'ON' &&
      kw(tokens[nextCode(scope, i)]) === 'CONFLICT' &&
      shape.upsertIndex === null
    )
      shape.upsertIndex = i;
    if (kw(tokens[i]) === 'RETURNING') shape.returningIndex = i;
  }
  return shape;
}

export function updateAssignments(scope: Scope): number[] {
  const { tokens, code, depth } = scope;
  const out: number[] = [];
  const setPos = code.findIndex((i) => depth[i] === 0 && kw(tokens[i]) === 'SET');
  if (setPos === -1) return out;
  let expectName = true;
  for (let p = setPos + 1; p < code.length; p++) {
    const i = code[p]!;
    if (depth[i] !== 0) continue;
    const k = kw(tokens[i]);
    if (k === 'WHERE' || k === 'FROM' || k === 'RETURNING' || k === 'ORDER' || k === 'LIMIT') break;
    if (expectName && isName(tokens[i])) {
      out.push(i);
      expectName = false;
    } else if (tokens[i]!.text === ',') expectName = true;
  }
  return out;
}
