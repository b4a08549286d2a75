/**
 * Updates for MongoDB: validated by the shared parser (doc-update.ts: only
 * $set, $unset, $inc; no _id changes; no conflicting paths), then written as
 * the equivalent MongoDB update so the server applies it atomically per document.
 */
import { NovaError } from '../../errors.js';
import { parseUpdate, type ParsedUpdate } from '../doc-update.js';
import type { DocUpdate } from '../types.js';

export interface MongoUpdate {
  /** The parsed form, for checks that need paths as segments. */
  parsed: ParsedUpdate;
  update: Record<string, Record<string, unknown>>;
}

export function toMongoUpdate(update: DocUpdate): MongoUpdate {
  const parsed = parseUpdate(update);
  const out: Record<string, Record<string, unknown>> = {};
  if (parsed.set.length > 0)
    out.$set = Object.fromEntries(parsed.set.map((s) => [s.path.join('.'), s.value]));
  // $unset ignores its operand; "" is the conventional one.
  if (parsed.unset.length > 0)
    out.$unset = Object.fromEntries(parsed.unset.map((p) => [p.join('.'), '']));
  if (parsed.inc.length > 0)
    out.$inc = Object.fromEntries(parsed.inc.map((i) => [i.path.join('.'), i.by]));
  if (Object.keys(out).length === 0) {
    // parseUpdate accepts { $set: {} }; MongoDB refuses an update without fields, so say it plainly.
    throw new NovaError(
      'INVALID_ARGUMENT',
      'The update changes nothing: its $set, $unset and $inc are empty.',
      {
        fix: 'Name at least one field, e.g. { $set: { theme: "dark" } }.',
      },
    );
  }
  return { parsed, update: out };
}
