/**
 * Every cast kind in one table, with everything the engine needs to know
 * about it: how a stored SQLite value is parsed, the PostgreSQL type it loads
 * into, how a converted value is written as COPY text, and how verification
 * rebuilds that text from the stored column in SQL.
 *
 * `CASTS` is typed as a record over CAST_KINDS and every field of
 * CastDefinition is required, so adding a kind to CAST_KINDS without an entry
 * here — or an entry without one of its pieces — does not compile
 * (docs/ARCHITECTURE.md#add-a-cast). Everything that used to switch on the
 * kind (castValue, pgColumnType, the COPY line encoder, the verification SQL)
 * reads this table instead.
 *
 * The text encoding must be exactly what PostgreSQL's output function prints
 * for the stored value, and `storedText` must print the stored column the
 * same way: verification compares the two byte for byte
 * (main/core/migrate/README.md#copy-text-identity-what-verification-relies-on).
 */
import { toBoolean } from './boolean.js';
import type { CastKind, CastResult } from './cast-result.js';
import { toJsonb } from './json.js';
import { toBigint, toInteger, toReal, type Fractional } from './numeric.js';
import { float8Text, jsonbText, timestamptzText } from './pg-output.js';
import { toBytea, toText } from './text.js';
import { toDate, toTimestamptz } from './timestamp.js';

/** One cast kind. `V` is what `parse` produces for a valid value (and `pgText` receives). */
export interface CastDefinition<V> {
  /**
   * A stored value (never NULL) → the converted value, or why it is invalid.
   * Never throws on bad data; records a change with the original when it had
   * to alter the value to fit. `fractional` matters to integer kinds only.
   */
  parse(value: unknown, fractional: Fractional): CastResult;
  /** The PostgreSQL column type a table created by the plan uses. */
  readonly sqlType: string;
  /**
   * A converted value as PostgreSQL's output function prints it, unescaped
   * (COPY escaping is applied by the caller when `mayNeedEscape`).
   */
  pgText(value: V): string;
  /** Whether that text can hold a backslash, tab, newline or carriage return (which COPY escapes). */
  readonly mayNeedEscape: boolean;
  /**
   * SQL printing a stored column (`ref`, already quoted) exactly as `pgText`
   * printed the value sent: one side of verification's line comparison.
   */
  storedText(ref: string): string;
}

/** The registry's type: one definition per kind, no more, no less. */
export type CastRegistry = { readonly [K in CastKind]: CastDefinition<never> };

const asText = (ref: string): string => `(${ref})::text`;
const wholeText = (v: number | bigint): string => (typeof v === 'number' ? `${v}` : v.toString());

export const CASTS = {
  text: {
    parse: (v) => toText(v),
    sqlType: 'text',
    pgText: (v: string) => v,
    mayNeedEscape: true,
    storedText: asText,
  },
  integer: {
    parse: (v, fractional) => toInteger(v, fractional),
    sqlType: 'integer',
    pgText: wholeText,
    mayNeedEscape: false,
    storedText: asText,
  },
  bigint: {
    parse: (v, fractional) => toBigint(v, fractional),
    sqlType: 'bigint',
    pgText: wholeText,
    mayNeedEscape: false,
    storedText: asText,
  },
  // SQLite's REAL is an 8-byte float, hence double precision.
  real: {
    parse: (v) => toReal(v),
    sqlType: 'double precision',
    pgText: (v: number) => float8Text(Number(v)),
    mayNeedEscape: false,
    storedText: asText,
  },
  boolean: {
    parse: (v) => toBoolean(v),
    sqlType: 'boolean',
    // boolout prints t/f (what COPY writes); bool::text would say true/false.
    pgText: (v: boolean) => (v ? 't' : 'f'),
    mayNeedEscape: false,
    storedText: (ref) => `CASE ${ref} WHEN true THEN 't' WHEN false THEN 'f' END`,
  },
  timestamptz: {
    parse: (v) => toTimestamptz(v),
    sqlType: 'timestamptz',
    pgText: timestamptzText,
    mayNeedEscape: false,
    storedText: asText,
  },
  date: {
    parse: (v) => toDate(v),
    sqlType: 'date',
    // toDate yields 'YYYY-MM-DD', which is how date_out prints under DateStyle ISO.
    pgText: (v: string) => v,
    mayNeedEscape: false,
    storedText: asText,
  },
  jsonb: {
    parse: (v) => toJsonb(v),
    sqlType: 'jsonb',
    pgText: jsonbText,
    mayNeedEscape: true,
    storedText: asText,
  },
  bytea: {
    parse: (v) => toBytea(v),
    sqlType: 'bytea',
    // bytea_output = hex; the leading backslash is escaped by COPY.
    pgText: (v: Uint8Array) =>
      `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`,
    mayNeedEscape: true,
    storedText: asText,
  },
} as const satisfies CastRegistry;

/** One definition, with its value type widened for callers that hold values as `unknown`. */
export function castDefinition(kind: CastKind): CastDefinition<unknown> {
  return CASTS[kind] as CastDefinition<unknown>;
}
