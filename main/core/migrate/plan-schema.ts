/**
 * The migration plan (main/core/migrate/README.md#plan): a data file that says where every source
 * table and column goes, with which cast, and what to do with values that do
 * not fit. Validated with zod; a bad plan is refused with every problem
 * listed by its path (`tables[3] (users).target.columns[1].type: …`).
 *
 * plan-file.ts reads plans from JSON (or YAML) files.
 */
import { z } from 'zod';
import { NovaError } from '../errors.js';
import { migrationRulesSchema } from '../../../shared-contract/methods/migration.js';
import { CAST_KINDS, castValue, type CastKind } from './casts/index.js';

/** PostgreSQL truncates identifiers beyond 63 bytes; refuse instead of colliding silently. */
const pgIdentifier = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (s) => Buffer.byteLength(s, 'utf8') <= 63,
    'must be at most 63 bytes (PostgreSQL would truncate it)',
  )
  .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

const mongoName = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (s) => !s.startsWith('$') && !s.includes('.') && !s.includes('\u0000'),
    'must not start with $ or contain "." or NUL',
  );

const sourceName = z.string().min(1, 'must not be empty');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ON_INVALID = ['reject', 'null', 'keep-text'] as const;
export const UNKNOWN_TABLE_RULES = ['auto', 'skip', 'error'] as const;
export const UNKNOWN_COLUMN_RULES = ['jsonb-extra', 'skip', 'error'] as const;

/** Options shared by PostgreSQL columns and Mongo fields. */
const valueRules = {
  source: sourceName,
  /** A NULL (after the rules below) in a non-nullable target rejects the row unless `nullReplacement` is set. */
  nullable: z.boolean().default(true),
  /** What a value the cast cannot convert does: reject the row (default), become NULL, or stay as text (text/jsonb targets only). */
  onInvalid: z.enum(ON_INVALID).default('reject'),
  /** When the source column does not exist in this file (older releases lack later columns): fail, or let the target default apply. */
  ifMissing: z.enum(['error', 'target-default']).default('error'),
  /** '' becomes NULL (recorded) or stays ''. Default: 'keep' for text/bytea, 'null' for every other type. */
  emptyString: z.enum(['null', 'keep']).optional(),
  /** Value written instead of NULL in a non-nullable target (recorded), e.g. false for a legacy flag that was NULL. */
  nullReplacement: scalar.optional(),
  /** Integer targets: a fractional value (3.5) is invalid (default) or rounded (recorded). */
  fractional: z.enum(['reject', 'round']).default('reject'),
  /** Only these converted values are valid (e.g. admin_pins.id must be 1). */
  allowedValues: z.array(scalar).min(1).optional(),
  /** Why the mapping is what it is; copied into the report. */
  note: z.string().optional(),
};

const postgresColumn = z.strictObject({
  ...valueRules,
  target: pgIdentifier,
  type: z.enum(CAST_KINDS),
});

export const MONGO_TYPES = [
  'string',
  'int',
  'long',
  'double',
  'bool',
  'date',
  'object',
  'binData',
] as const;
export type MongoType = (typeof MONGO_TYPES)[number];
export const MONGO_CAST: Record<MongoType, CastKind> = {
  string: 'text',
  int: 'integer',
  long: 'bigint',
  double: 'real',
  bool: 'boolean',
  date: 'timestamptz',
  object: 'jsonb',
  binData: 'bytea',
};

const mongoField = z.strictObject({ ...valueRules, target: mongoName, type: z.enum(MONGO_TYPES) });

const columnList = z.array(pgIdentifier).min(1, 'must list at least one column');

const postgresTarget = z.strictObject({
  kind: z.literal('postgres'),
  table: pgIdentifier,
  columns: z.array(postgresColumn).min(1, 'must map at least one column'),
  primaryKey: z.array(pgIdentifier).default([]),
  /** `normalize: 'lower'` makes the key case-insensitive (emails): case-duplicates conflict. */
  uniqueKeys: z
    .array(z.strictObject({ columns: columnList, normalize: z.enum(['lower']).optional() }))
    .default([]),
  /** Rows whose key has no parent row are rejected into the report (`onOrphan: 'reject'`). */
  foreignKeys: z
    .array(
      z.strictObject({
        columns: columnList,
        references: z.strictObject({ table: pgIdentifier, columns: columnList }),
        onOrphan: z.enum(['reject']).default('reject'),
      }),
    )
    .default([]),
  /** Non-unique indexes to build after the load (tables the plan creates). */
  indexes: z.array(z.strictObject({ columns: columnList })).default([]),
  /** 'exact-duplicates': rows identical in every mapped column are merged into one (and counted). */
  dedupe: z.enum(['none', 'exact-duplicates']).default('none'),
  /** A target row with the same primary key already exists (e.g. seeded roles): fail, overwrite it, or keep it. */
  onConflict: z.enum(['error', 'update', 'skip']).default('error'),
  /** Create the table from the column list (automatic plans); otherwise the target schema must have it. */
  create: z.boolean().default(false),
  /** Column (jsonb) that receives unknown source columns under `unknownColumns: 'jsonb-extra'`. */
  extraColumn: pgIdentifier.default('legacy_extra'),
});

const mongoTarget = z.strictObject({
  kind: z.literal('mongo'),
  collection: z
    .string()
    .min(1, 'must not be empty')
    .refine((s) => !s.includes('$') && !s.includes('\u0000'), 'must not contain $ or NUL')
    .refine((s) => !s.startsWith('system.'), 'must not start with "system."'),
  fields: z.array(mongoField).min(1, 'must map at least one field'),
  /** Target field whose value becomes the document's _id; none → the driver's ObjectId. */
  idField: mongoName.optional(),
  extraField: mongoName.default('legacy_extra'),
});

const skipTarget = z.strictObject({
  kind: z.literal('skip'),
  reason: z.string().min(1, 'must say why the table is left out'),
});

const tableMapping = z.strictObject({
  source: sourceName,
  /** The source table is not in this file: fail, or skip it (recorded). */
  ifMissing: z.enum(['error', 'skip']).default('error'),
  /** Overrides the plan-wide rule for columns of this table that the mapping does not list. */
  unknownColumns: z.enum(UNKNOWN_COLUMN_RULES).optional(),
  note: z.string().optional(),
  target: z.discriminatedUnion('kind', [postgresTarget, mongoTarget, skipTarget]),
});

export const planSchema = z
  .strictObject({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    /** Source tables the plan does not list: map them automatically, leave them out (reported), or refuse. */
    unknownTables: z.enum(UNKNOWN_TABLE_RULES).default('error'),
    /** Default rule for source columns a table mapping does not list. */
    unknownColumns: z.enum(UNKNOWN_COLUMN_RULES).default('error'),
    /** Load order (source table names); unlisted tables follow in foreign-key order. */
    order: z.array(sourceName).optional(),
    tables: z.array(tableMapping),
    /** What to do instead of rejecting (rules.ts); the CLI's rule flags override these one by one. */
    rules: migrationRulesSchema.optional(),
  })
  .superRefine(checkPlan);

export type Plan = z.output<typeof planSchema>;
/** A plan as written (defaults may be omitted). */
export type PlanInput = z.input<typeof planSchema>;
export type TableMapping = Plan['tables'][number];
export type PostgresTarget = z.output<typeof postgresTarget>;
export type MongoTarget = z.output<typeof mongoTarget>;
export type PostgresColumn = z.output<typeof postgresColumn>;
export type MongoField = z.output<typeof mongoField>;
export type OnInvalid = (typeof ON_INVALID)[number];
export type UnknownTableRule = (typeof UNKNOWN_TABLE_RULES)[number];
export type UnknownColumnRule = (typeof UNKNOWN_COLUMN_RULES)[number];

type Issue = { path: (string | number)[]; message: string };

/** Rules zod's shapes cannot say: names that must exist, be unique, and agree with each other. */
function checkPlan(plan: Plan, ctx: z.RefinementCtx): void {
  const issues: Issue[] = [];
  const sources = new Map<string, number>();
  const pgTables = new Map<string, number>();
  plan.tables.forEach((t, i) => {
    if (sources.has(t.source))
      issues.push({
        path: ['tables', i, 'source'],
        message: `"${t.source}" is already mapped by tables[${sources.get(t.source)}]`,
      });
    sources.set(t.source, i);
    if (t.target.kind === 'postgres') {
      const previous = pgTables.get(t.target.table);
      if (previous !== undefined)
        issues.push({
          path: ['tables', i, 'target', 'table'],
          message: `table "${t.target.table}" is already loaded by tables[${previous}]`,
        });
      pgTables.set(t.target.table, i);
    }
  });
  plan.tables.forEach((t, i) => {
    const at = (...rest: (string | number)[]): (string | number)[] => [
      'tables',
      i,
      'target',
      ...rest,
    ];
    if (t.target.kind === 'postgres') checkPostgres(t.target, pgTables, at, issues);
    if (t.target.kind === 'mongo') checkMongo(t.target, at, issues);
  });
  const seen = new Set<string>();
  plan.order?.forEach((name, i) => {
    if (!sources.has(name))
      issues.push({ path: ['order', i], message: `"${name}" is not a source table of this plan` });
    if (seen.has(name)) issues.push({ path: ['order', i], message: `"${name}" is listed twice` });
    seen.add(name);
  });
  for (const issue of issues)
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}

function checkPostgres(
  target: PostgresTarget,
  pgTables: Map<string, number>,
  at: (...p: (string | number)[]) => (string | number)[],
  issues: Issue[],
): void {
  const targets = new Set<string>();
  target.columns.forEach((c, j) => {
    if (targets.has(c.target))
      issues.push({
        path: at('columns', j, 'target'),
        message: `column "${c.target}" is mapped twice`,
      });
    targets.add(c.target);
    checkValueRules(c, c.type, c.type, (...p) => at('columns', j, ...p), issues);
  });
  if (targets.has(target.extraColumn))
    issues.push({
      path: at('extraColumn'),
      message: `"${target.extraColumn}" is also a mapped column`,
    });
  const known = (cols: string[], path: (string | number)[]): void => {
    cols.forEach((c, k) => {
      if (!targets.has(c))
        issues.push({
          path: [...path, k],
          message: `"${c}" is not a target column of this mapping`,
        });
    });
  };
  known(target.primaryKey, at('primaryKey'));
  target.uniqueKeys.forEach((u, k) => known(u.columns, at('uniqueKeys', k, 'columns')));
  target.indexes.forEach((x, k) => known(x.columns, at('indexes', k, 'columns')));
  target.foreignKeys.forEach((fk, k) => {
    known(fk.columns, at('foreignKeys', k, 'columns'));
    if (!pgTables.has(fk.references.table)) {
      issues.push({
        path: at('foreignKeys', k, 'references', 'table'),
        message: `"${fk.references.table}" is not a PostgreSQL target table of this plan`,
      });
    }
    if (fk.references.columns.length !== fk.columns.length) {
      issues.push({
        path: at('foreignKeys', k, 'references', 'columns'),
        message: `lists ${fk.references.columns.length} column(s) for ${fk.columns.length} key column(s)`,
      });
    }
  });
}

function checkMongo(
  target: MongoTarget,
  at: (...p: (string | number)[]) => (string | number)[],
  issues: Issue[],
): void {
  const targets = new Set<string>();
  target.fields.forEach((f, j) => {
    if (targets.has(f.target))
      issues.push({
        path: at('fields', j, 'target'),
        message: `field "${f.target}" is mapped twice`,
      });
    targets.add(f.target);
    checkValueRules(f, MONGO_CAST[f.type], f.type, (...p) => at('fields', j, ...p), issues);
  });
  if (target.idField !== undefined && !targets.has(target.idField))
    issues.push({ path: at('idField'), message: `"${target.idField}" is not a mapped field` });
  if (targets.has(target.extraField))
    issues.push({
      path: at('extraField'),
      message: `"${target.extraField}" is also a mapped field`,
    });
}

function checkValueRules(
  c: {
    onInvalid: OnInvalid;
    nullReplacement?: string | number | boolean | undefined;
    fractional: string;
    allowedValues?: (string | number | boolean)[] | undefined;
  },
  kind: CastKind,
  typeName: string,
  at: (...p: (string | number)[]) => (string | number)[],
  issues: Issue[],
): void {
  if (c.onInvalid === 'keep-text' && kind !== 'text' && kind !== 'jsonb') {
    issues.push({
      path: at('onInvalid'),
      message: `'keep-text' needs a text or JSON target; a ${typeName} column cannot hold the original text`,
    });
  }
  if (c.fractional === 'round' && kind !== 'integer' && kind !== 'bigint') {
    issues.push({
      path: at('fractional'),
      message: `'round' applies to integer targets only, not ${typeName}`,
    });
  }
  if (c.nullReplacement !== undefined && !castValue(kind, c.nullReplacement).ok) {
    issues.push({
      path: at('nullReplacement'),
      message: `${JSON.stringify(c.nullReplacement)} is not a valid ${typeName} value`,
    });
  }
  c.allowedValues?.forEach((v, k) => {
    if (!castValue(kind, v).ok)
      issues.push({
        path: at('allowedValues', k),
        message: `${JSON.stringify(v)} is not a valid ${typeName} value`,
      });
  });
}

/** Validates plan data (already parsed from JSON/YAML); `origin` names it in the error. */
export function parsePlan(data: unknown, origin = 'the migration plan'): Plan {
  const result = planSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  - ${formatPath(issue.path, data)}: ${issue.message}`,
  );
  throw new NovaError('INVALID_ARGUMENT', `${origin} is invalid:\n${lines.join('\n')}`, {
    fix: 'Correct the listed entries of the plan (each line gives the path to the entry and what is wrong with it), then run the migration again.',
  });
}

/** `tables[2] (users).target.columns[0].type`: zod's path, with the table's source name for orientation. */
export function formatPath(path: readonly PropertyKey[], data: unknown): string {
  if (path.length === 0) return '(plan)';
  let out = '';
  path.forEach((key, i) => {
    if (typeof key === 'number') out += `[${key}]`;
    else out += `${i === 0 ? '' : '.'}${String(key)}`;
    if (i === 1 && path[0] === 'tables' && typeof key === 'number') {
      const source = (data as { tables?: { source?: unknown }[] } | null)?.tables?.[key]?.source;
      if (typeof source === 'string' && source !== '') out += ` (${source})`;
    }
  });
  return out;
}
