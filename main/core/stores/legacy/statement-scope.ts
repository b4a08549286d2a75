/**
 * The structure of one legacy statement that the rewrites need, read from
 * its tokens: which tables it names (with their aliases), the CTE and
 * subquery names, the result columns of the outermost SELECT (or RETURNING),
 * and where an INSERT's column list and VALUES rows are. It does not try to
 * be a full SQL grammar: the rewrites only ever look at these places.
 */
import { isCode, kw, type Token } from './sql-lexer.js';
import { insertShape, collectResult, updateAssignments } from './statement-clauses.js';
import { isName, matchingParen, pos } from './scope-navigation.js';

export {
  enclosingOpen,
  insideCast,
  matchingParen,
  nextCode,
  prevCode,
} from './scope-navigation.js';
import type { LegacyView, ViewTable } from './legacy-schema.js';

export type StatementKind =
  | 'select'
  | 'insert'
  | 'update'
  | 'delete'
  | 'create-table'
  | 'create-index'
  | 'create-other'
  | 'alter'
  | 'drop'
  | 'pragma'
  | 'begin'
  | 'commit'
  | 'rollback'
  | 'savepoint'
  | 'release'
  | 'maintenance'
  | 'empty'
  | 'other';

export interface TableRef {
  /** The name as written (unquoted). */
  name: string;
  alias: string | null;
  /** Token index of the name (and of the alias, when there is one). */
  nameIndex: number;
  aliasIndex: number | null;
  /** Token index of a schema qualifier (`main.users`), removed on PostgreSQL. */
  schemaIndex: number | null;
  /** The table legacy SQL sees; undefined for CTEs, subqueries and unknown tables. */
  view: ViewTable | undefined;
  /** Derived (CTE or subquery): its columns are whatever its SELECT says. */
  derived: boolean;
  /** Paren depth of the reference; 0 = the outermost statement. */
  depth: number;
  /** Listed in a FROM/JOIN (as opposed to INTO/UPDATE/ON/TABLE). */
  fromClause: boolean;
}

export interface ResultItem {
  /** First and last code token of the item (inclusive). */
  first: number;
  last: number;
  /** Index of the alias token (after AS or implicit), if any. */
  aliasIndex: number | null;
  /** `*` or `q.*`: index of the `*`, and the qualifier's ref. */
  starIndex: number | null;
  starQualifier: string | null;
}

export interface InsertShape {
  /** Token indices of the column names in `INSERT INTO t (a, b)`; null without a list. */
  columns: number[] | null;
  /** Index of the `(` opening the column list. */
  listOpen: number | null;
  /** Each VALUES row: [open paren, close paren, per-value [first, last] token ranges]. */
  rows: { open: number; close: number; values: [number, number][] }[];
  /** `INSERT … SELECT` or `DEFAULT VALUES`. */
  source: 'values' | 'select' | 'default';
  /** OR IGNORE / OR REPLACE / REPLACE INTO … (upper-case), or null. */
  conflict: string | null;
  /** Token indices of `OR` and its action word, removed when rewritten. */
  conflictTokens: number[];
  /** Index of `ON` of an `ON CONFLICT` upsert clause at depth 0. */
  upsertIndex: number | null;
  /** Index of `RETURNING` at depth 0. */
  returningIndex: number | null;
}

export interface Scope {
  tokens: Token[];
  /** Indices of code tokens, in order. */
  code: number[];
  /** Paren depth of every token. */
  depth: number[];
  kind: StatementKind;
  refs: TableRef[];
  /** Lower-case alias or table name → ref. */
  names: Map<string, TableRef>;
  /** Lower-case column aliases defined anywhere in the statement. */
  columnAliases: Set<string>;
  /** The outermost result columns (SELECT list or RETURNING), or null. */
  result: ResultItem[] | null;
  insert: InsertShape | null;
  /** For UPDATE: token indices of the assigned column names. */
  assignments: number[];
}

/** Words that end a table reference instead of being its alias. */
const NOT_ALIAS = new Set([
  'WHERE',
  'ON',
  'USING',
  'JOIN',
  'LEFT',
  'RIGHT',
  'INNER',
  'OUTER',
  'CROSS',
  'NATURAL',
  'FULL',
  'GROUP',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'SET',
  'VALUES',
  'DEFAULT',
  'SELECT',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'WINDOW',
  'HAVING',
  'RETURNING',
  'INDEXED',
  'NOT',
  'DO',
  'AS',
]);

export function analyze(tokens: Token[], view: LegacyView): Scope {
  const code: number[] = [];
  const depth: number[] = [];
  let d = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'punct' && t.text === ')') d = Math.max(0, d - 1);
    depth.push(d);
    if (t.type === 'punct' && t.text === '(') d++;
    if (isCode(t)) code.push(i);
  }
  const scope: Scope = {
    tokens,
    code,
    depth,
    kind: statementKind(tokens, code),
    refs: [],
    names: new Map(),
    columnAliases: new Set(),
    result: null,
    insert: null,
    assignments: [],
  };
  collectCtes(scope);
  collectRefs(scope, view);
  collectResult(scope);
  if (scope.kind === 'insert') scope.insert = insertShape(scope);
  if (scope.kind === 'update') scope.assignments = updateAssignments(scope);
  return scope;
}

function statementKind(tokens: Token[], code: number[]): StatementKind {
  const w = code.slice(0, 4).map((i) => kw(tokens[i]));
  switch (w[0]) {
    case undefined:
      return 'empty';
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
      return withKind(tokens, code);
    case 'INSERT':
    case 'REPLACE':
      return 'insert';
    case 'UPDATE':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'CREATE': {
      const rest = w.slice(1).filter((x) => x !== 'TEMP' && x !== 'TEMPORARY' && x !== 'UNIQUE');
      if (rest[0] === 'TABLE') return 'create-table';
      if (rest[0] === 'INDEX') return 'create-index';
      return 'create-other';
    }
    case 'ALTER':
      return 'alter';
    case 'DROP':
      return 'drop';
    case 'PRAGMA':
      return 'pragma';
    case 'BEGIN':
      return 'begin';
    case 'COMMIT':
    case 'END':
      return 'commit';
    case 'ROLLBACK':
      return w.includes('TO') ? 'rollback' : 'rollback';
    case 'SAVEPOINT':
      return 'savepoint';
    case 'RELEASE':
      return 'release';
    case 'VACUUM':
    case 'ANALYZE':
    case 'REINDEX':
      return 'maintenance';
    default:
      return 'other';
  }
}

/** `WITH … INSERT/UPDATE/DELETE` is that statement; `WITH … SELECT` a select. */
function withKind(tokens: Token[], code: number[]): StatementKind {
  let depth = 0;
  for (const i of code) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0) {
      const k = kw(t);
      if (k === 'INSERT' || k === 'REPLACE') return 'insert';
      if (k === 'UPDATE') return 'update';
      if (k === 'DELETE') return 'delete';
      if (k === 'SELECT' || k === 'VALUES') return 'select';
    }
  }
  return 'select';
}

function collectCtes(scope: Scope): void {
  const { tokens, code } = scope;
  if (kw(tokens[code[0]!]) !== 'WITH') return;
  let p = 1;
  if (kw(tokens[code[p]!]) === 'RECURSIVE') p++;
  for (;;) {
    const nameIdx = code[p];
    if (nameIdx === undefined || !isName(tokens[nameIdx])) return;
    const ref: TableRef = {
      name: tokens[nameIdx]!.value,
      alias: null,
      nameIndex: nameIdx,
      aliasIndex: null,
      schemaIndex: null,
      view: undefined,
      derived: true,
      depth: 0,
      fromClause: false,
    };
    scope.names.set(ref.name.toLowerCase(), ref);
    p++;
    if (tokens[code[p]!]?.text === '(') p = pos(scope, matchingParen(scope, code[p]!)) + 1;
    if (kw(tokens[code[p]!]) !== 'AS') return;
    p++;
    if (kw(tokens[code[p]!]) === 'NOT') p++;
    if (kw(tokens[code[p]!]) === 'MATERIALIZED') p++;
    if (tokens[code[p]!]?.text !== '(') return;
    p = pos(scope, matchingParen(scope, code[p]!)) + 1;
    if (tokens[code[p]!]?.text !== ',') return;
    p++;
  }
}

function collectRefs(scope: Scope, view: LegacyView): void {
  const { tokens, code } = scope;
  for (let p = 0; p < code.length; p++) {
    const i = code[p]!;
    const k = kw(tokens[i]);
    const prev = kw(tokens[code[p - 1]!]);
    const from = k === 'FROM' || k === 'JOIN';
    const into = k === 'INTO' && (prev === 'INSERT' || prev === 'REPLACE' || isInsertOr(scope, p));
    const update = k === 'UPDATE' && (p === 0 || prev === 'WITH' || depthZeroStart(scope, p));
    const table = k === 'TABLE' && (prev === 'ALTER' || scope.kind === 'drop');
    const indexOn = k === 'ON' && scope.kind === 'create-index';
    if (!from && !into && !update && !table && !indexOn) continue;
    if (table) p = skipIfExists(scope, p);
    if (k === 'UPDATE') {
      // UPDATE OR IGNORE t
      if (kw(tokens[code[p + 1]!]) === 'OR') p += 2;
    }
    p = readRef(scope, view, p + 1, from);
    while (from && tokens[code[p + 1]!]?.text === ',') p = readRef(scope, view, p + 2, true);
  }
}

function isInsertOr(scope: Scope, p: number): boolean {
  return (
    kw(scope.tokens[scope.code[p - 2]!]) === 'OR' &&
    kw(scope.tokens[scope.code[p - 3]!]) === 'INSERT'
  );
}

function depthZeroStart(scope: Scope, p: number): boolean {
  // `WITH x AS (…) UPDATE t`: UPDATE right after a CTE's closing paren.
  const prev = scope.tokens[scope.code[p - 1]!];
  return prev?.text === ')' && scope.depth[scope.code[p]!] === 0 && scope.kind === 'update';
}

function skipIfExists(scope: Scope, p: number): number {
  const w = [1, 2, 3].map((n) => kw(scope.tokens[scope.code[p + n]!]));
  if (w[0] === 'IF' && w[1] === 'NOT' && w[2] === 'EXISTS') return p + 3;
  if (w[0] === 'IF' && w[1] === 'EXISTS') return p + 2;
  return p;
}

/** Reads `[schema.]name [[AS] alias]` or `(subquery) [AS] alias` at code position p; returns the last position used. */
function readRef(scope: Scope, view: LegacyView, p: number, from: boolean): number {
  const { tokens, code } = scope;
  const first = code[p];
  if (first === undefined) return p;
  let ref: TableRef;
  if (tokens[first]!.text === '(') {
    const close = matchingParen(scope, first);
    p = pos(scope, close);
    ref = {
      name: '',
      alias: null,
      nameIndex: first,
      aliasIndex: null,
      schemaIndex: null,
      view: undefined,
      derived: true,
      depth: scope.depth[first]!,
      fromClause: from,
    };
  } else {
    if (!isName(tokens[first])) return p - 1;
    let nameIdx = first;
    let schemaIdx: number | null = null;
    if (tokens[code[p + 1]!]?.text === '.' && isName(tokens[code[p + 2]!])) {
      schemaIdx = first;
      nameIdx = code[p + 2]!;
      p += 2;
    }
    const name = tokens[nameIdx]!.value;
    const cte = scope.names.get(name.toLowerCase());
    ref = {
      name,
      alias: null,
      nameIndex: nameIdx,
      aliasIndex: null,
      schemaIndex: schemaIdx,
      view: cte?.derived ? undefined : view.tables.get(name.toLowerCase()),
      derived: cte?.derived === true,
      depth: scope.depth[nameIdx]!,
      fromClause: from,
    };
  }
  let q = p + 1;
  if (kw(tokens[code[q]!]) === 'AS') q++;
  const aliasTok = tokens[code[q]!];
  if (isName(aliasTok) && !NOT_ALIAS.has(kw(aliasTok)) && tokens[code[q + 1]!]?.text !== '(') {
    ref.alias = aliasTok!.value;
    ref.aliasIndex = code[q]!;
    p = q;
  }
  scope.refs.push(ref);
  if (ref.name) scope.names.set(ref.name.toLowerCase(), ref);
  if (ref.alias) scope.names.set(ref.alias.toLowerCase(), ref);
  return p;
}
