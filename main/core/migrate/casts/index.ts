/**
 * The casts' entry points: one function per cast kind (the parse functions),
 * and the registry (registry.ts) that ties each kind to its parse, SQL type,
 * COPY text and verification form. convert-row.ts dispatches on data
 * through castValue, never on a switch.
 */
import type { CastKind, CastResult } from './cast-result.js';
import type { Fractional } from './numeric.js';
import { castDefinition } from './registry.js';

export * from './cast-result.js';
export { toBoolean } from './boolean.js';
export { toJsonb } from './json.js';
export { toBigint, toInteger, toReal, type Fractional } from './numeric.js';
export { toBytea, toText } from './text.js';
export { toDate, toTimestamptz } from './timestamp.js';
export { CASTS, castDefinition, type CastDefinition, type CastRegistry } from './registry.js';

/** Casts a non-NULL stored value to `kind`. */
export function castValue(
  kind: CastKind,
  value: unknown,
  fractional: Fractional = 'reject',
): CastResult {
  return castDefinition(kind).parse(value, fractional);
}

/** The PostgreSQL column type for a cast kind (`real` is SQLite's 8-byte REAL: double precision). */
export function pgColumnType(kind: CastKind): string {
  return castDefinition(kind).sqlType;
}
