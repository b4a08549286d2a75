/**
 * Schema checks for updates on servers that do not enforce `$jsonSchema`
 * themselves (the test emulator). Inserts are checked whole with the shared
 * validateDocument(); an update is checked by what it does to top-level schema
 * fields — a $set value's type, an $unset of a required field, an $inc on a
 * non-numeric field — since the stored document is not read first. A real
 * mongod checks the result itself (error 121 → INVALID_ARGUMENT).
 */
import { NovaError } from '../../errors.js';
import type { CollectionSpec } from '../collections.js';
import { isPlainObject } from '../doc-filter.js';
import type { ParsedUpdate } from '../doc-update.js';
import { validateDocument } from '../doc-validator.js';

const NUMERIC = ['int', 'long', 'double', 'decimal', 'number'];

function typesOf(rule: unknown): string[] | undefined {
  if (!isPlainObject(rule) || rule.bsonType === undefined) return undefined;
  return ([] as unknown[]).concat(rule.bsonType).filter((t): t is string => typeof t === 'string');
}

function refuse(spec: CollectionSpec, problem: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `Update failed validation for ${spec.name}: ${problem}.`,
    {
      fix: 'Check the field types of the collection in docs/schema.md ("MongoDB collections") of nova-database-appliance (e.g. user_preferences.user_id must be an integer).',
    },
  );
}

export function checkUpdateAgainstSchema(
  spec: CollectionSpec | undefined,
  parsed: ParsedUpdate,
): void {
  const schema = spec?.validator?.$jsonSchema;
  if (!spec || !isPlainObject(schema)) return;
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  // The same type rules as for inserts, on just the fields being set (required-ness is checked below).
  const typesOnly: CollectionSpec = {
    ...spec,
    validator: { $jsonSchema: { ...schema, required: [] } },
  };

  for (const { path, value } of parsed.set) {
    const [field] = path;
    if (path.length === 1) validateDocument(typesOnly, { [field!]: value });
    else {
      const types = typesOf(properties[field!]);
      if (types && !types.includes('object'))
        throw refuse(
          spec,
          `${field} must be ${types.join(' or ')}, so ${path.join('.')} cannot be set`,
        );
    }
  }
  for (const path of parsed.unset) {
    if (path.length === 1 && required.includes(path[0]))
      throw refuse(spec, `${path[0]} is required and cannot be unset`);
  }
  for (const { path, by } of parsed.inc) {
    const types = path.length === 1 ? typesOf(properties[path[0]!]) : undefined;
    if (!types) continue;
    if (!types.some((t) => NUMERIC.includes(t)))
      throw refuse(spec, `${path[0]} must be ${types.join(' or ')}, so it cannot be incremented`);
    if (
      !Number.isInteger(by) &&
      !types.some((t) => t === 'double' || t === 'decimal' || t === 'number')
    ) {
      throw refuse(spec, `${path[0]} must stay an integer, so $inc by ${by} is refused`);
    }
  }
}
