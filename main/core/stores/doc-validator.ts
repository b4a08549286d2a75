/**
 * The part of a MongoDB `$jsonSchema` validator (collections.ts) that backends
 * without one can enforce themselves: top-level `required` fields and the
 * simple `bsonType` of top-level properties. Anything else in the schema is
 * left to MongoDB, so documents accepted here are a superset of what MongoDB
 * accepts only where the schema uses features we do not check.
 */
import { NovaError } from '../errors.js';
import type { CollectionSpec } from './collections.js';
import { isPlainObject } from './doc-filter.js';
import type { Doc } from './types.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Checks for each BSON type name; unknown names are not checked. */
const BSON_CHECKS: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  int: (v) => Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX,
  long: (v) => Number.isSafeInteger(v),
  double: (v) => typeof v === 'number',
  decimal: (v) => typeof v === 'number',
  number: (v) => typeof v === 'number',
  date: (v) => v instanceof Date,
  object: (v) => isPlainObject(v),
  array: (v) => Array.isArray(v),
  null: (v) => v === null,
};

/** Throws INVALID_ARGUMENT naming the field when `doc` breaks the collection's validator. */
export function validateDocument(spec: CollectionSpec | undefined, doc: Doc): void {
  const schema = spec?.validator?.$jsonSchema;
  if (!isPlainObject(schema)) return;

  const required = Array.isArray(schema.required)
    ? schema.required.filter((f) => typeof f === 'string')
    : [];
  for (const field of required) {
    if (doc[field] === undefined) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `Document failed validation for ${spec?.name}: ${field} is required.`,
        {
          fix: `Include ${field} in every ${spec?.name} document.`,
        },
      );
    }
  }

  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  for (const [field, rule] of Object.entries(properties)) {
    const value = doc[field];
    if (value === undefined || !isPlainObject(rule)) continue;
    const types = ([] as unknown[])
      .concat(rule.bsonType ?? [])
      .filter((t): t is string => typeof t === 'string');
    const checks = types.map((t) => BSON_CHECKS[t]);
    // A type we cannot check means we cannot reject the value either.
    if (checks.length === 0 || checks.some((check) => check === undefined)) continue;
    if (!checks.some((check) => check?.(value))) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `Document failed validation for ${spec?.name}: ${field} must be ${types.join(' or ')}, got ${JSON.stringify(value)}.`,
        { fix: `Store ${field} as ${types.join(' or ')}.` },
      );
    }
  }
}
