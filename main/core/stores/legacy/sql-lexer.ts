/**
 * A lossless tokenizer for the SQLite dialect the legacy API wrote. The
 * translation layer rewrites statements token by token and joins the texts
 * back, so everything it does not touch (spacing, comments, literals) reaches
 * the server exactly as the application wrote it.
 *
 * Why not a full parser: the ones available either fail on statements the
 * Nova API sends (PRAGMA, `ON CONFLICT(key) DO UPDATE`, `LIMIT ? OFFSET ?`),
 * keep no source positions, or lower-case aliases; see
 * docs/upgrading-nova-api.md ("How statements are translated").
 */

export type TokenType =
  | 'ws'
  | 'comment'
  /** A bare word: keyword or unquoted identifier (`SELECT`, `users`, `passwordHash`). */
  | 'word'
  /** `"x"`, `` `x` `` or `[x]`: an identifier — or, in SQLite, a string when nothing by that name exists. */
  | 'qident'
  | 'string'
  | 'blob'
  | 'number'
  /** `?`, `?NNN`, `:name`, `@name`, `$name`. */
  | 'param'
  | 'punct';

export interface Token {
  type: TokenType;
  /** The exact source text. */
  text: string;
  /** Identifier name (unquoted, unescaped) for word/qident; string content for string. */
  value: string;
  /** Offset in the source. */
  start: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const TWO_CHAR_OPS = new Set(['<=', '>=', '<>', '!=', '==', '||', '<<', '>>', '->']);

/** Splits `sql` into tokens whose texts concatenate back to `sql`. Unterminated quotes run to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (type: TokenType, end: number, value?: string): void => {
    const text = sql.slice(i, end);
    tokens.push({ type, text, value: value ?? text, start: i });
    i = end;
  };
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j]!)) j++;
      push('ws', j);
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      push('comment', end === -1 ? n : end);
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      push('comment', end === -1 ? n : end + 2);
    } else if (ch === "'") {
      const end = closeQuote(sql, i, "'");
      push('string', end, unquote(sql.slice(i, end), "'"));
    } else if ((ch === 'x' || ch === 'X') && next === "'") {
      push('blob', closeQuote(sql, i + 1, "'"));
    } else if (ch === '"' || ch === '`') {
      const end = closeQuote(sql, i, ch);
      push('qident', end, unquote(sql.slice(i, end), ch));
    } else if (ch === '[') {
      const close = sql.indexOf(']', i + 1);
      const end = close === -1 ? n : close + 1;
      push('qident', end, sql.slice(i + 1, close === -1 ? n : close));
    } else if (DIGIT.test(ch) || (ch === '.' && next !== undefined && DIGIT.test(next))) {
      push('number', scanNumber(sql, i));
    } else if (ch === '?') {
      let j = i + 1;
      while (j < n && DIGIT.test(sql[j]!)) j++;
      push('param', j);
    } else if (
      (ch === ':' || ch === '@' || ch === '$') &&
      next !== undefined &&
      WORD_CHAR.test(next)
    ) {
      let j = i + 1;
      while (j < n && WORD_CHAR.test(sql[j]!)) j++;
      push('param', j);
    } else if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < n && WORD_CHAR.test(sql[j]!)) j++;
      push('word', j);
    } else if (next !== undefined && TWO_CHAR_OPS.has(ch + next)) {
      push('punct', i + 2);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens;
}

function closeQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function unquote(text: string, quote: string): string {
  const inner = text.endsWith(quote) && text.length > 1 ? text.slice(1, -1) : text.slice(1);
  return inner.split(quote + quote).join(quote);
}

function scanNumber(sql: string, start: number): number {
  let i = start;
  if (sql[i] === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X')) {
    i += 2;
    while (i < sql.length && /[0-9a-fA-F]/.test(sql[i]!)) i++;
    return i;
  }
  while (i < sql.length && DIGIT.test(sql[i]!)) i++;
  if (sql[i] === '.') {
    i++;
    while (i < sql.length && DIGIT.test(sql[i]!)) i++;
  }
  if (
    (sql[i] === 'e' || sql[i] === 'E') &&
    (DIGIT.test(sql[i + 1] ?? '') ||
      (/[+-]/.test(sql[i + 1] ?? '') && DIGIT.test(sql[i + 2] ?? '')))
  ) {
    i += 2;
    while (i < sql.length && DIGIT.test(sql[i]!)) i++;
  }
  return i;
}

/** True for tokens that carry meaning (not whitespace or comments). */
export function isCode(t: Token): boolean {
  return t.type !== 'ws' && t.type !== 'comment';
}

/** Upper-cased word value, or '' for anything that is not a bare word. */
export function kw(t: Token | undefined): string {
  return t && t.type === 'word' ? t.value.toUpperCase() : '';
}

/** `"name"` with embedded quotes doubled: a PostgreSQL/SQLite quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled. */
export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The first statement of `sql` (node-sqlite3 compiles only the first one and
 * ignores the rest) and whether anything but whitespace/comments follows it.
 */
export function firstStatement(tokens: Token[]): { tokens: Token[]; rest: Token[] } {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.text === ';' && depth <= 0 && !insideTriggerBody(tokens, i)) {
      return { tokens: tokens.slice(0, i), rest: tokens.slice(i + 1) };
    }
  }
  return { tokens, rest: [] };
}

/** Splits a script into statements on top-level semicolons (for exec()). */
export function splitScript(sql: string): string[] {
  const out: string[] = [];
  let rest = tokenize(sql);
  while (rest.length > 0) {
    const { tokens, rest: after } = firstStatement(rest);
    const text = tokens.map((t) => t.text).join('');
    if (tokens.some(isCode)) out.push(text.trim());
    rest = after;
  }
  return out;
}

/** `CREATE TRIGGER … BEGIN …; …; END` keeps its inner semicolons. */
function insideTriggerBody(tokens: Token[], index: number): boolean {
  const code = tokens.slice(0, index).filter(isCode);
  const words = code.map(kw);
  if (words[0] !== 'CREATE' || !words.slice(0, 4).includes('TRIGGER')) return false;
  let begins = 0;
  for (const w of words) {
    if (w === 'BEGIN' || w === 'CASE') begins++;
    else if (w === 'END') begins--;
  }
  return begins > 0;
}
