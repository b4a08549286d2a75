/**
 * The document filter subset of types.ts, parsed once into a small
 * dialect-free tree. Each document backend compiles the tree (SQLite JSON1,
 * PostgreSQL JSONB) or hands the original filter to MongoDB; parsing first
 * means every backend refuses the same inputs with the same errors.
 *
 * Semantics follow MongoDB for the supported subset:
 * - equality with null (`{a: null}`, `$eq: null`, `$in: [null]`) also matches a missing field;
 * - `$ne` and `$nin` match documents where the field is missing;
 * - range operators only compare like with like (numbers, strings, Dates);
 * - a boolean never equals a number.
 * Arrays in documents are compared as whole values: element matching
 * (`{tags: 'x'}` against `tags: ['x']`) is not part of the subset.
 */
import { NovaError } from '../errors.js';
import type { Doc, DocFilter } from './types.js';

/** Values a filter may compare against. */
export type FilterScalar = null | boolean | number | string | Date;

export type CompareOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/** A field path split into segments, e.g. `['address', 'city']`. */
export type FieldPath = readonly string[];

export type FilterNode =
  /** All children must match; no children matches every document. */
  | { kind: 'and'; children: FilterNode[] }
  /** At least one child must match (never empty: `$or: []` is refused). */
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'compare'; path: FieldPath; op: CompareOp; value: FilterScalar }
  /** `$in` (negated: false) or `$nin` (negated: true). */
  | { kind: 'in'; path: FieldPath; values: FilterScalar[]; negated: boolean }
  | { kind: 'exists'; path: FieldPath; exists: boolean };

const SEGMENT = /^[A-Za-z0-9_]{1,64}$/;
const MAX_SEGMENTS = 32;
const OPERATORS: Record<string, CompareOp | 'in' | 'nin' | 'exists'> = {
  $eq: 'eq',
  $ne: 'ne',
  $gt: 'gt',
  $gte: 'gte',
  $lt: 'lt',
  $lte: 'lte',
  $in: 'in',
  $nin: 'nin',
  $exists: 'exists',
};
const SUPPORTED_LIST = '$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or';

/**
 * Validates a dotted field path. Segments are letters, digits and `_` only:
 * they are spliced into JSON paths on some backends, and positional segments
 * (`tags.0`) mean different things on each backend, so they are refused.
 */
export function parseFieldPath(path: string): FieldPath {
  const segments = path.split('.');
  const bad =
    segments.length > MAX_SEGMENTS || segments.some((s) => !SEGMENT.test(s) || /^[0-9]+$/.test(s));
  if (bad) {
    throw new NovaError(
      'UNSUPPORTED_FILTER',
      `Field path ${JSON.stringify(path)} is not supported.`,
      {
        fix: 'Use dotted field names made of letters, digits and _ (e.g. "address.city"); array positions and $-prefixed names are not supported.',
      },
    );
  }
  if (segments[0] === '_id' && segments.length > 1) {
    throw new NovaError(
      'UNSUPPORTED_FILTER',
      `Field path ${JSON.stringify(path)} is not supported: _id is a string.`,
      {
        fix: 'Filter on _id itself.',
      },
    );
  }
  return segments;
}

/** Parses and validates a filter; throws UNSUPPORTED_FILTER or INVALID_ARGUMENT naming the offending part. */
export function parseFilter(filter: DocFilter | undefined): FilterNode {
  if (filter === undefined) return { kind: 'and', children: [] };
  if (!isPlainObject(filter)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'A document filter must be a plain object, e.g. { status: "open" }.',
    );
  }
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new NovaError('INVALID_ARGUMENT', `${key} needs a non-empty array of filters.`);
      }
      const parsed = value.map((f) => parseFilter(f as DocFilter));
      children.push({ kind: key === '$and' ? 'and' : 'or', children: parsed });
    } else if (key.startsWith('$')) {
      throw unsupportedOperator(key);
    } else {
      children.push(...parseFieldCondition(parseFieldPath(key), key, value));
    }
  }
  return children.length === 1 ? (children[0] as FilterNode) : { kind: 'and', children };
}

function parseFieldCondition(path: FieldPath, key: string, value: unknown): FilterNode[] {
  if (!isPlainObject(value))
    return [{ kind: 'compare', path, op: 'eq', value: toScalar(value, key) }];
  const ops = Object.keys(value);
  if (ops.length === 0 || !ops.every((op) => op.startsWith('$'))) {
    throw new NovaError(
      'UNSUPPORTED_FILTER',
      `Matching ${key} against a whole embedded document is not supported.`,
      {
        fix: `Compare its fields with dotted paths instead, e.g. { "${key}.field": value }.`,
      },
    );
  }
  return ops.map((op): FilterNode => {
    const operand = value[op];
    const kind = OPERATORS[op];
    if (kind === undefined) throw unsupportedOperator(op);
    if (kind === 'exists') {
      if (typeof operand !== 'boolean' && operand !== 0 && operand !== 1) {
        throw new NovaError('INVALID_ARGUMENT', `$exists on ${key} needs true or false.`);
      }
      return { kind: 'exists', path, exists: Boolean(operand) };
    }
    if (kind === 'in' || kind === 'nin') {
      if (!Array.isArray(operand))
        throw new NovaError('INVALID_ARGUMENT', `${op} on ${key} needs an array of values.`);
      return {
        kind: 'in',
        path,
        values: operand.map((v) => toScalar(v, key)),
        negated: kind === 'nin',
      };
    }
    const scalar = toScalar(operand, key);
    if (kind !== 'eq' && kind !== 'ne' && !isRangeComparable(scalar)) {
      throw new NovaError(
        'UNSUPPORTED_FILTER',
        `${op} on ${key} needs a number, string or Date, got ${describe(scalar)}.`,
      );
    }
    return { kind: 'compare', path, op: kind, value: scalar };
  });
}

function toScalar(value: unknown, key: string): FilterScalar {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The value for ${key} is ${value}, which cannot be matched.`,
      );
    return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new NovaError('INVALID_ARGUMENT', `The value for ${key} is an invalid Date.`);
    return value;
  }
  if (value === undefined) {
    throw new NovaError('INVALID_ARGUMENT', `The value for ${key} is undefined.`, {
      fix: 'Pass null to match a missing field, or leave the field out of the filter.',
    });
  }
  if (value instanceof RegExp) throw unsupportedOperator('$regex (a RegExp value)');
  throw new NovaError(
    'UNSUPPORTED_FILTER',
    `Matching ${key} against ${describe(value)} is not supported.`,
    {
      fix: 'Compare against strings, numbers, booleans, Dates or null.',
    },
  );
}

function unsupportedOperator(op: string): NovaError {
  return new NovaError('UNSUPPORTED_FILTER', `The filter operator ${op} is not supported.`, {
    fix: `Use only ${SUPPORTED_LIST}, or filter the results in code.`,
  });
}

function isRangeComparable(v: FilterScalar): boolean {
  return typeof v === 'number' || typeof v === 'string' || v instanceof Date;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object')
    return `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
  return `a ${typeof v}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Reads a dotted path, walking through plain objects only. */
export function getPath(doc: unknown, path: FieldPath): { found: boolean; value: unknown } {
  let current: unknown = doc;
  for (const segment of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment))
      return { found: false, value: undefined };
    current = current[segment];
  }
  return { found: current !== undefined, value: current };
}

/** Evaluates a parsed filter against a decoded document, with the semantics of the SQL compilers. */
export function matchesFilter(doc: Doc, node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((child) => matchesFilter(doc, child));
    case 'or':
      return node.children.some((child) => matchesFilter(doc, child));
    case 'exists':
      return getPath(doc, node.path).found === node.exists;
    case 'in': {
      const { value } = getPath(doc, node.path);
      const hit = node.values.some((v) => scalarEquals(value, v));
      return node.negated ? !hit : hit;
    }
    case 'compare': {
      const { value } = getPath(doc, node.path);
      if (node.op === 'eq') return scalarEquals(value, node.value);
      if (node.op === 'ne') return !scalarEquals(value, node.value);
      const order = compareSameType(value, node.value);
      if (order === undefined) return false;
      switch (node.op) {
        case 'gt':
          return order > 0;
        case 'gte':
          return order >= 0;
        case 'lt':
          return order < 0;
        case 'lte':
          return order <= 0;
      }
    }
  }
}

function scalarEquals(actual: unknown, expected: FilterScalar): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (expected instanceof Date)
    return actual instanceof Date && actual.getTime() === expected.getTime();
  return actual === expected;
}

/** Mongo's type bracketing: only numbers with numbers, strings with strings, Dates with Dates. */
function compareSameType(actual: unknown, expected: FilterScalar): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number')
    return Math.sign(actual - expected);
  if (typeof actual === 'string' && typeof expected === 'string')
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  if (actual instanceof Date && expected instanceof Date)
    return Math.sign(actual.getTime() - expected.getTime());
  return undefined;
}

/** Validates FindOptions.sort into path/direction pairs. */
export function parseSort(
  sort: Record<string, 1 | -1> | undefined,
): Array<{ path: FieldPath; direction: 1 | -1 }> {
  if (sort === undefined) return [];
  if (!isPlainObject(sort))
    throw new NovaError('INVALID_ARGUMENT', 'sort must be an object like { created_at: -1 }.');
  return Object.entries(sort).map(([key, direction]) => {
    if (direction !== 1 && direction !== -1) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `sort.${key} must be 1 (ascending) or -1 (descending), got ${String(direction)}.`,
      );
    }
    return { path: parseFieldPath(key), direction };
  });
}
