/**
 * Filters, sorts and paging for MongoDB. Validation is the shared parser's
 * (doc-filter.ts), so MongoDB refuses exactly what the SQLite and PostgreSQL
 * backends refuse even though it could run more; the parsed tree is then
 * compiled back to a MongoDB filter, converting API `_id` strings to the
 * forms they may be stored in.
 */
import { NovaError } from '../../errors.js';
import { parseFilter, parseSort, type FilterNode, type FilterScalar } from '../doc-filter.js';
import type { DocFilter, FindOptions } from '../types.js';
import { storedIdCandidates, toStoredId } from './mongo-values.js';

type MongoFilter = Record<string, unknown>;

const MONGO_OP = { eq: '$eq', ne: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' } as const;

/** Validates a DocFilter (UNSUPPORTED_FILTER / INVALID_ARGUMENT) and compiles it for MongoDB. */
export function toMongoFilter(filter: DocFilter | undefined): MongoFilter {
  return compile(parseFilter(filter));
}

/** An `_id` operand in its stored forms: a 24-hex string may be an ObjectId or the text itself. */
function idValues(value: FilterScalar): unknown[] {
  return typeof value === 'string' ? storedIdCandidates(value) : [value];
}

function compile(node: FilterNode): MongoFilter {
  switch (node.kind) {
    case 'and':
      if (node.children.length === 0) return {};
      return node.children.length === 1
        ? compile(node.children[0]!)
        : { $and: node.children.map(compile) };
    case 'or':
      return { $or: node.children.map(compile) };
    case 'exists':
      return { [node.path.join('.')]: { $exists: node.exists } };
    case 'in': {
      const path = node.path.join('.');
      const values = path === '_id' ? node.values.flatMap(idValues) : node.values;
      return { [path]: { [node.negated ? '$nin' : '$in']: values } };
    }
    case 'compare': {
      const path = node.path.join('.');
      if (path !== '_id') return { [path]: { [MONGO_OP[node.op]]: node.value } };
      // Equality must find both stored forms; ordering compares with the ObjectId form.
      if (node.op === 'eq') return { _id: { $in: idValues(node.value) } };
      if (node.op === 'ne') return { _id: { $nin: idValues(node.value) } };
      const operand = typeof node.value === 'string' ? toStoredId(node.value) : node.value;
      return { _id: { [MONGO_OP[node.op]]: operand } };
    }
  }
}

/** Validates sort/skip/limit and returns them in the driver's shape (limit 0 means "none", not "all"). */
export function toFindOptions(options: FindOptions | undefined): {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
} {
  if (options === undefined) return {};
  const out: { sort?: Record<string, 1 | -1>; skip?: number; limit?: number } = {};
  const sort = parseSort(options.sort);
  if (sort.length > 0)
    out.sort = Object.fromEntries(sort.map((s) => [s.path.join('.'), s.direction]));
  for (const name of ['skip', 'limit'] as const) {
    const n = options[name];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `options.${name} is ${String(n)}; it must be a non-negative integer.`,
        {
          fix: `Pass e.g. { ${name}: 10 }.`,
        },
      );
    }
    out[name] = n;
  }
  return out;
}
