/**
 * `$set`, `$unset` and `$inc` applied in memory, for backends that rewrite the
 * whole document (SQLite JSON). The rules follow MongoDB: `_id` is immutable,
 * two operators may not touch the same path (or one inside the other), `$inc`
 * needs numbers, and setting `a.b` creates `a` when it is missing.
 */
import { NovaError } from '../errors.js';
import { assertStorable } from './doc-codec.js';
import { isPlainObject, parseFieldPath, type FieldPath } from './doc-filter.js';
import type { Doc, DocUpdate } from './types.js';

export interface ParsedUpdate {
  set: Array<{ path: FieldPath; value: unknown }>;
  unset: FieldPath[];
  inc: Array<{ path: FieldPath; by: number }>;
}

const SUPPORTED = new Set(['$set', '$unset', '$inc']);

/** Validates an update document; throws before anything is changed. */
export function parseUpdate(update: DocUpdate): ParsedUpdate {
  if (!isPlainObject(update))
    throw new NovaError('INVALID_ARGUMENT', 'An update must be an object like { $set: { … } }.');
  const keys = Object.keys(update);
  if (keys.length === 0) {
    throw new NovaError('INVALID_ARGUMENT', 'The update is empty.', {
      fix: 'Use $set, $unset or $inc.',
    });
  }
  for (const key of keys) {
    if (!key.startsWith('$')) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The update has a plain field "${key}"; replacing whole documents is not supported.`,
        {
          fix: `Wrap the fields in $set, e.g. { $set: { ${key}: … } }.`,
        },
      );
    }
    if (!SUPPORTED.has(key)) {
      throw new NovaError('UNSUPPORTED_FILTER', `The update operator ${key} is not supported.`, {
        fix: 'Use $set, $unset or $inc; read, change and $set the value for anything else.',
      });
    }
  }
  const parsed: ParsedUpdate = { set: [], unset: [], inc: [] };
  for (const [op, fields] of Object.entries(update) as Array<[string, unknown]>) {
    if (!isPlainObject(fields))
      throw new NovaError('INVALID_ARGUMENT', `${op} needs an object of field paths.`);
    for (const [key, value] of Object.entries(fields)) {
      const path = parseFieldPath(key);
      if (path[0] === '_id') {
        throw new NovaError('INVALID_ARGUMENT', `${op} would change _id, which is immutable.`, {
          fix: 'Insert a new document with the new _id and delete the old one.',
        });
      }
      if (op === '$set') {
        assertStorable(value, key);
        parsed.set.push({ path, value });
      } else if (op === '$unset') {
        parsed.unset.push(path);
      } else {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new NovaError(
            'INVALID_ARGUMENT',
            `$inc.${key} must be a finite number, got ${JSON.stringify(value)}.`,
          );
        }
        parsed.inc.push({ path, by: value });
      }
    }
  }
  assertNoConflicts([
    ...parsed.set.map((s) => s.path),
    ...parsed.unset,
    ...parsed.inc.map((i) => i.path),
  ]);
  return parsed;
}

/** Returns a new document with the update applied; the input is left untouched. */
export function applyUpdate(doc: Doc, update: DocUpdate): Doc {
  return applyParsedUpdate(doc, parseUpdate(update));
}

/** As {@link applyUpdate}, for an update already validated by {@link parseUpdate} (many documents, one parse). */
export function applyParsedUpdate(doc: Doc, parsed: ParsedUpdate): Doc {
  const result = structuredClone(doc);
  for (const { path, value } of parsed.set) {
    const { parent, leaf } = walkToParent(result, path, true);
    if (parent) parent[leaf] = structuredClone(value);
  }
  for (const path of parsed.unset) {
    const { parent, leaf } = walkToParent(result, path, false);
    if (parent) delete parent[leaf];
  }
  for (const { path, by } of parsed.inc) {
    const { parent, leaf } = walkToParent(result, path, true);
    if (!parent) continue;
    const current = parent[leaf];
    if (current === undefined) parent[leaf] = by;
    else if (typeof current === 'number') parent[leaf] = current + by;
    else {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `$inc.${path.join('.')} applies to a non-number (${typeof current}).`,
        {
          fix: 'Only $inc fields that hold numbers, or $set the field first.',
        },
      );
    }
  }
  return result;
}

/**
 * Finds the object holding the last segment. With `create`, missing
 * intermediate objects are created; a non-object in the way is an error (as
 * in MongoDB). Without `create` (for $unset) a missing path is a no-op.
 */
function walkToParent(
  doc: Record<string, unknown>,
  path: FieldPath,
  create: boolean,
): { parent: Record<string, unknown> | undefined; leaf: string } {
  let current = doc;
  for (const segment of path.slice(0, -1)) {
    let next = current[segment];
    if (next === undefined && create) {
      next = {};
      current[segment] = next;
    }
    if (!isPlainObject(next)) {
      if (next === undefined || !create) return { parent: undefined, leaf: '' };
      throw new NovaError(
        'INVALID_ARGUMENT',
        `Cannot update ${path.join('.')}: ${segment} is not an object.`,
        {
          fix: `$set ${segment} to an object first, or update ${segment} itself.`,
        },
      );
    }
    current = next;
  }
  return { parent: current, leaf: path[path.length - 1] as string };
}

function assertNoConflicts(paths: FieldPath[]): void {
  const joined = paths.map((p) => p.join('.'));
  for (let i = 0; i < joined.length; i++) {
    for (let j = i + 1; j < joined.length; j++) {
      const a = joined[i] as string;
      const b = joined[j] as string;
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)) {
        throw new NovaError(
          'INVALID_ARGUMENT',
          `The update touches ${a} and ${b}, which conflict.`,
          {
            fix: 'Change each field with one operator only, and not a field together with its parent.',
          },
        );
      }
    }
  }
}
