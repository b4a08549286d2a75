/** One entry point per target kind, so convert-row.ts dispatches on data, not on functions. */
import type { CastKind, CastResult } from './cast-result.js';
import { toBoolean } from './boolean.js';
import { toJsonb } from './json.js';
import { toBigint, toInteger, toReal, type Fractional } from './numeric.js';
import { toBytea, toText } from './text.js';
import { toDate, toTimestamptz } from './timestamp.js';

export * from './cast-result.js';
export { toBoolean } from './boolean.js';
export { toJsonb } from './json.js';
export { toBigint, toInteger, toReal, type Fractional } from './numeric.js';
export { toBytea, toText } from './text.js';
export { toDate, toTimestamptz } from './timestamp.js';

/** Casts a non-NULL stored value to `kind`. */
export function castValue(
  kind: CastKind,
  value: unknown,
  fractional: Fractional = 'reject',
): CastResult {
  switch (kind) {
    case 'text':
      return toText(value);
    case 'integer':
      return toInteger(value, fractional);
    case 'bigint':
      return toBigint(value, fractional);
    case 'real':
      return toReal(value);
    case 'boolean':
      return toBoolean(value);
    case 'timestamptz':
      return toTimestamptz(value);
    case 'date':
      return toDate(value);
    case 'jsonb':
      return toJsonb(value);
    case 'bytea':
      return toBytea(value);
  }
}

/** The PostgreSQL column type for a cast kind. `real` is SQLite's 8-byte REAL, hence double precision. */
export function pgColumnType(kind: CastKind): string {
  return kind === 'real' ? 'double precision' : kind;
}
