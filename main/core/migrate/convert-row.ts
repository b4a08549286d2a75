/**
 * Converts one source row by its resolved table mapping: the step that runs a
 * million times, so it allocates the values array, the result, and change
 * records only when something changed — nothing else per row.
 *
 * Rule order for each column: NULL stays NULL; '' becomes NULL where the
 * column says so; otherwise the cast runs, and an invalid value follows
 * `onInvalid` (reject the row / NULL / keep the text / NULL with the original
 * kept in the extra column — the `keep-in-extra` value rule). Then `allowedValues`,
 * and finally NOT NULL: a NULL either takes `nullReplacement` or rejects the
 * row. Every altered value is returned as a Change with its original.
 */
import { castValue, toText, type CastResult, type ValueChange } from './casts/index.js';
import type { ResolvedColumn, ResolvedExtra, ResolvedTable } from './resolved-plan.js';

/** A value altered to fit its target, in source-column terms. */
export interface Change extends ValueChange {
  /** Source column name. */
  column: string;
}

/** Why a row cannot be migrated; the caller adds table and key for the report. */
export interface Reject {
  column: string;
  original: unknown;
  reason: string;
}

export type ConvertResult =
  { ok: true; values: unknown[]; changes: readonly Change[] } | { ok: false; reject: Reject };

const NO_CHANGES: readonly Change[] = Object.freeze([]);

/**
 * `row` holds the values of `table.readColumns`, in that order (e.g. from a
 * better-sqlite3 statement in raw mode). `values` follow `table.outputColumns`.
 */
export function convertRow(table: ResolvedTable, row: readonly unknown[]): ConvertResult {
  const cols = table.columns;
  const n = cols.length;
  const values = new Array<unknown>(table.extra ? n + 1 : n);
  let changes: Change[] | null = null;
  /** Originals the keep-in-extra rule moves into the extra column (rare: allocated on first use). */
  let kept: { name: string; raw: unknown }[] | null = null;

  for (let i = 0; i < n; i++) {
    const col = cols[i]!;
    const raw = row[col.index];
    let value: unknown = null;
    let change: ValueChange | undefined;

    if (raw === null || raw === undefined) {
      // stays NULL
    } else if (raw === '' && col.emptyToNull) {
      change = {
        code: 'empty-to-null',
        original: '',
        converted: null,
        reason: 'empty string stored as NULL',
      };
    } else if (
      col.type === 'text' &&
      typeof raw === 'string' &&
      col.allowedValues === null &&
      raw.indexOf('\u0000') === -1
    ) {
      // Fast path for the commonest value (what toText would return, without its result object).
      value = raw;
    } else {
      let r: CastResult = castValue(col.type, raw, col.fractional);
      if (r.ok && col.allowedValues !== null && !isAllowed(col, r.value)) {
        r = {
          ok: false,
          original: raw,
          reason: `${String(r.value)} is not an allowed value (allowed: ${col.allowedValues.map(String).join(', ')})`,
        };
      }
      if (r.ok) {
        value = r.value;
        change = r.change;
      } else if (col.onInvalid === 'null') {
        change = {
          code: 'invalid-to-null',
          original: raw,
          converted: null,
          reason: `${r.reason}; stored as NULL`,
        };
      } else if (col.onInvalid === 'keep-in-extra' && table.extra) {
        (kept ??= []).push({ name: col.source, raw });
        change = {
          code: 'kept-in-extra',
          original: raw,
          converted: null,
          reason: `${r.reason}; the original is kept under "${col.source}" in ${table.extra.target}`,
        };
      } else if (col.onInvalid === 'keep-text') {
        const t = toText(raw);
        value = t.ok ? t.value : String(raw);
        change = {
          code: 'invalid-kept-as-text',
          original: raw,
          converted: value,
          reason: `${r.reason}; kept as text`,
        };
      } else {
        return { ok: false, reject: { column: col.source, original: raw, reason: r.reason } };
      }
    }

    if (value === null && !col.nullable) {
      if (col.nullReplacement === null) {
        const why = change
          ? `${change.reason}, but ${col.target} does not allow NULL`
          : `NULL is not allowed in ${col.target}`;
        return { ok: false, reject: { column: col.source, original: raw ?? null, reason: why } };
      }
      value = col.nullReplacement;
      change = {
        // A kept original stays findable under its own kind; the replacement is in `converted`.
        code: change?.code === 'kept-in-extra' ? 'kept-in-extra' : 'null-replaced',
        original: raw ?? null,
        converted: value,
        reason: `${change ? change.reason : 'NULL'}; ${col.target} does not allow NULL, so ${String(value)} was written`,
      };
    }

    values[i] = value;
    if (change) (changes ??= []).push({ column: col.source, ...change });
  }

  if (table.extra) values[n] = extraObject(table.extra, row, kept, (c) => (changes ??= []).push(c));
  return { ok: true, values, changes: changes ?? NO_CHANGES };
}

function isAllowed(col: ResolvedColumn, value: unknown): boolean {
  const allowed = col.allowedValues!;
  if (value instanceof Date)
    return allowed.some((a) => a instanceof Date && a.getTime() === value.getTime());
  return allowed.includes(value);
}

/**
 * The unknown columns of a row as one JSON object (non-NULL values only;
 * NULL when there are none). JSON has no bytes, bigints or NULs: such values
 * go through the text cast (recorded) or become exact numbers/strings.
 */
function extraObject(
  extra: ResolvedExtra,
  row: readonly unknown[],
  kept: readonly { name: string; raw: unknown }[] | null,
  record: (c: Change) => void,
): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  for (const { name, index } of extra.sources) {
    const raw = row[index];
    if (raw === null || raw === undefined) continue;
    out = putExtra(out, name, raw, record);
  }
  if (kept) for (const { name, raw } of kept) out = putExtra(out, name, raw, record);
  return out;
}

function putExtra(
  out: Record<string, unknown> | null,
  name: string,
  raw: unknown,
  record: (c: Change) => void,
): Record<string, unknown> {
  let value: unknown = raw;
  if (typeof raw === 'bigint') {
    value = Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
  } else if (typeof raw === 'number') {
    value = Number.isFinite(raw) ? raw : String(raw);
  } else {
    const t = toText(raw);
    value = t.ok ? t.value : String(raw);
    if (t.ok && t.change) record({ column: name, ...t.change });
  }
  const target = out ?? {};
  // defineProperty keeps a column named "__proto__" a plain key.
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}
