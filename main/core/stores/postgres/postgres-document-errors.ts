/**
 * Failures particular to documents in PostgreSQL JSONB, turned into
 * NovaErrors that say which document or key is at fault:
 * - a duplicate `_id` or unique key (SQLSTATE 23505 from the primary key or
 *   one of the partial unique indexes of postgres-document-sql.ts);
 * - strings JSONB cannot hold: the NUL character, and UTF-16 surrogates
 *   without their pair. SQLite and MongoDB store them; PostgreSQL refuses
 *   them in jsonb and text, so they are refused up front with a clear reason.
 */
import { NovaError, isNovaError } from '../../errors.js';
import { collectionSpec } from '../collections.js';
import type { FilterNode } from '../doc-filter.js';
import { indexName } from '../doc-sql-shared.js';

/** What the pg driver attaches to a server error (the NovaError's `cause`). */
interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
}

function pgFields(err: NovaError): PgErrorFields {
  const cause = err.cause;
  return typeof cause === 'object' && cause !== null ? (cause as PgErrorFields) : {};
}

/**
 * In JSON.stringify output a NUL is written `\u0000` and an unpaired surrogate
 * `\udXXX`; every other character is written as itself or another escape. The
 * escape only counts when its backslash is not itself escaped (an even run before it).
 */
const UNSTORABLE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;
/** An unpaired surrogate in a JavaScript string (matched per UTF-16 code unit: no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const UNSTORABLE_FIX =
  'Remove the NUL character or the broken surrogate (often the result of cutting a string in the middle of an emoji), or store such data base64-encoded.';

/** Throws INVALID_ARGUMENT when encoded document JSON holds a string PostgreSQL cannot store. */
export function assertJsonbStorable(json: string, what: string): void {
  if (UNSTORABLE_ESCAPE.test(json)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${what} contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which PostgreSQL JSONB cannot store.`,
      { fix: UNSTORABLE_FIX },
    );
  }
}

/** The same check for every string a parsed filter compares against. */
export function assertFilterMatchable(node: FilterNode): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.children.forEach(assertFilterMatchable);
      return;
    case 'exists':
      return;
    case 'in':
      node.values.forEach((v) => checkOperand(v, node.path));
      return;
    case 'compare':
      checkOperand(node.value, node.path);
  }
}

function checkOperand(value: unknown, path: readonly string[]): void {
  if (typeof value === 'string' && (value.includes('\u0000') || LONE_SURROGATE.test(value))) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The filter value for ${path.join('.')} contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate; PostgreSQL cannot compare such strings, and no stored document holds one.`,
      { fix: UNSTORABLE_FIX },
    );
  }
}

/**
 * Explains a unique violation in terms of the collection: a duplicate `_id`,
 * or a duplicate key of a declared unique index (with the clashing value).
 * Anything else passes through unchanged.
 */
export function explainDocumentError(err: unknown, collection: string): unknown {
  if (!isNovaError(err)) return err;
  const { code, constraint, detail } = pgFields(err);
  if (code === '22P05' || code === '22021' || code === '22P02') {
    // Should have been caught by the checks above; kept so a missed case is still explained.
    return new NovaError(
      'INVALID_ARGUMENT',
      `PostgreSQL could not store or compare a value for ${collection}: ${err.message}`,
      { fix: UNSTORABLE_FIX, cause: err },
    );
  }
  if (!isNovaError(err, 'CONSTRAINT_VIOLATION') || code !== '23505' || !constraint) return err;
  if (constraint.endsWith('_pkey')) {
    const prefix = `Key (collection, id)=(${collection}, `;
    const suffix = ') already exists.';
    const id =
      detail?.startsWith(prefix) && detail.endsWith(suffix)
        ? detail.slice(prefix.length, -suffix.length)
        : undefined;
    return new NovaError(
      'CONSTRAINT_VIOLATION',
      `Duplicate _id ${id === undefined ? '' : `${JSON.stringify(id)} `}in ${collection}.`,
      { fix: 'Use a new _id, or leave _id out to have one generated.', cause: err },
    );
  }
  const spec = collectionSpec(collection);
  const index = spec?.indexes.find((ix) => ix.unique && indexName(spec, ix) === constraint);
  if (!index) return err;
  const keys = Object.keys(index.keys).join(', ');
  // detail: "Key (<index expressions>)=(<values>) already exists."; the
  // expressions never contain ")=(", so the first one ends them.
  const values = /\)=\((.*)\) already exists\.$/s.exec(detail ?? '')?.[1];
  return new NovaError(
    'CONSTRAINT_VIOLATION',
    `Duplicate key in ${collection}: ${keys} must be unique` +
      `${values === undefined ? '' : ` (a document with ${keys} = ${values} already exists)`}.`,
    {
      fix: `Update the existing ${collection} document with the same ${keys} instead of inserting another.`,
      cause: err,
    },
  );
}
