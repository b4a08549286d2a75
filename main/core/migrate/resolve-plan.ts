/**
 * Fits a plan to an actual file (main/core/migrate/README.md#plan): every source table and column
 * the inspect report found ends up either mapped, or in `decisions` saying
 * why it is not (left out by the plan, routed by the unknownTables /
 * unknownColumns rule, absent from an older file, a view or trigger). Nothing
 * is dropped silently; what the rules refuse stops the migration with one
 * error listing every problem.
 *
 * The result is plain data (JSON-serialisable) so a job can store it and a
 * resumed run can reuse it; convert-row.ts executes it per row.
 */
import { NovaError } from '../errors.js';
import { castValue, pgColumnType } from './casts/index.js';
import { assignNames, autoTableMapping, type AutoNames } from './auto-plan.js';
import { observedTypes, type InspectReport, type TableInfo } from './inspect.js';
import {
  MONGO_CAST,
  parsePlan,
  type Plan,
  type PlanInput,
  type TableMapping,
} from './plan-schema.js';
import { orderTables } from './load-order.js';
import type {
  PlanDecision,
  ResolvedColumn,
  ResolvedExtra,
  ResolvedPlan,
  ResolvedTable,
} from './resolved-plan.js';

export type * from './resolved-plan.js';

/**
 * Fills in a table's storage-class counts (inspect.ts countTableTypes) when
 * the report was read without them: only tables that get an automatic
 * mapping, and tables with columns the plan does not know, need them.
 */
export type CountTypes = (table: TableInfo) => void;

/**
 * Resolves `plan` against `report`; throws INVALID_ARGUMENT listing every
 * mismatch the plan's rules refuse. `countTypes` is needed when the report
 * was inspected without storage-class counts.
 */
export function resolvePlan(
  plan: Plan,
  report: InspectReport,
  countTypes: CountTypes = () => undefined,
): ResolvedPlan {
  const decisions: PlanDecision[] = [];
  const problems: string[] = [];
  const lookup = tableLookup(report.tables);

  // Unknown tables first: with 'auto' they join the plan, so one validation covers everything.
  const mapped = new Set<TableInfo>();
  for (const t of plan.tables) {
    const info = lookup(t.source);
    if (info) mapped.add(info);
  }
  const auto: TableInfo[] = [];
  for (const info of report.tables) {
    if (mapped.has(info)) continue;
    const rows = `${info.rowCount} row(s)`;
    if (info.kind !== 'table') {
      decisions.push({
        table: info.name,
        decision: 'left-out',
        reason: `${info.kind} table (${rows}): derived storage of a virtual table such as a full-text index; rebuild it on the target`,
      });
    } else if (plan.unknownTables === 'skip') {
      decisions.push({
        table: info.name,
        decision: 'left-out',
        reason: `not in plan "${plan.name}" and unknownTables is 'skip': ${rows} not migrated`,
      });
    } else if (plan.unknownTables === 'error') {
      problems.push(`table ${JSON.stringify(info.name)} (${rows}) is not in the plan`);
    } else {
      auto.push(info);
    }
  }
  auto.forEach(countTypes);
  const combined = auto.length === 0 ? plan : withAutoTables(plan, auto, lookup);
  const autoSources = new Set(auto.map((t) => t.name));

  const resolved: ResolvedTable[] = [];
  const mappedBy = new Map<TableInfo, number>();
  combined.tables.forEach((mapping, i) => {
    const info = lookup(mapping.source);
    if (info && mappedBy.has(info)) {
      problems.push(
        `tables[${i}]: ${JSON.stringify(mapping.source)} is the table tables[${mappedBy.get(info)}] already maps (SQLite names ignore case)`,
      );
      return;
    }
    if (info) mappedBy.set(info, i);
    if (!info) {
      if (mapping.ifMissing === 'skip')
        decisions.push({
          table: mapping.source,
          decision: 'source-absent',
          reason:
            'the plan maps it, but this file does not have it (an older release); nothing to migrate',
        });
      else
        problems.push(
          `tables[${i}]: the plan maps table ${JSON.stringify(mapping.source)}, which this file does not have`,
        );
      return;
    }
    if (mapping.note) decisions.push({ table: info.name, decision: 'note', reason: mapping.note });
    if (mapping.target.kind === 'skip') {
      decisions.push({
        table: info.name,
        decision: 'left-out',
        reason: `${mapping.target.reason} (${info.rowCount} row(s) not migrated)`,
      });
      return;
    }
    const origin = autoSources.has(info.name) ? 'auto' : 'plan';
    if (origin === 'auto' && mapping.target.kind === 'postgres') {
      decisions.push({
        table: info.name,
        decision: 'auto-mapped',
        reason: `not in plan "${plan.name}"; unknownTables is 'auto', so it is copied into a new table "${mapping.target.table}"`,
      });
    }
    const table = resolveTable(mapping, info, combined.unknownColumns, origin, {
      decisions,
      problems,
      countTypes,
    });
    if (table) resolved.push(table);
  });

  for (const v of report.views) {
    decisions.push({
      table: v.name,
      decision: 'left-out',
      reason:
        'view: it holds no data of its own; its definition is in the inspect report — recreate it on the target if it is still needed',
    });
  }
  for (const t of report.triggers) {
    decisions.push({
      table: t.name,
      decision: 'left-out',
      reason: `trigger on ${t.table}: SQLite trigger bodies are not translated; the target schema has its own triggers and constraints`,
    });
  }

  if (problems.length > 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The migration plan "${plan.name}" does not fit ${report.file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        fix: "Map each listed table and column in the plan, mark it as skipped (target kind 'skip'), or change the plan's unknownTables ('auto' | 'skip') / unknownColumns ('jsonb-extra' | 'skip') rule; then run the migration again.",
      },
    );
  }
  return {
    name: plan.name,
    sourceFile: report.file,
    tables: orderTables(
      resolved,
      plan.order?.map((name) => lookup(name)?.name ?? name),
      decisions,
    ),
    decisions,
  };
}

/** SQLite names are case-insensitive: an exact match wins, else the only case-insensitive one. */
function tableLookup(tables: readonly TableInfo[]): (name: string) => TableInfo | undefined {
  const exact = new Map(tables.map((t) => [t.name, t]));
  const folded = new Map<string, TableInfo[]>();
  for (const t of tables)
    folded.set(t.name.toLowerCase(), [...(folded.get(t.name.toLowerCase()) ?? []), t]);
  return (name) =>
    exact.get(name) ??
    (folded.get(name.toLowerCase())?.length === 1 ? folded.get(name.toLowerCase())![0] : undefined);
}

/** The plan plus automatic mappings of `unknown`, validated together (their foreign keys may point at plan tables). */
function withAutoTables(
  plan: Plan,
  unknown: TableInfo[],
  lookup: (name: string) => TableInfo | undefined,
): Plan {
  const reserved = new Set(
    plan.tables.flatMap((t) => (t.target.kind === 'postgres' ? [t.target.table] : [])),
  );
  const names = assignNames(unknown, reserved);
  const tables = new Map(names.tables);
  const columns = new Map(names.columns);
  const primaryKeys = new Map(names.primaryKeys);
  for (const t of plan.tables) {
    const info = lookup(t.source);
    if (t.target.kind !== 'postgres' || !info) continue;
    tables.set(info.name, t.target.table);
    columns.set(info.name, new Map(t.target.columns.map((c) => [c.source, c.target])));
    primaryKeys.set(
      info.name,
      info.columns
        .filter((c) => c.pkPosition > 0)
        .sort((a, b) => a.pkPosition - b.pkPosition)
        .map((c) => c.name),
    );
  }
  const all: AutoNames = { tables, columns, primaryKeys };
  const input: PlanInput = {
    ...plan,
    tables: [...plan.tables, ...unknown.map((t) => autoTableMapping(t, all))],
  };
  return parsePlan(input, `The plan "${plan.name}" with automatic mappings for its unknown tables`);
}

function resolveTable(
  mapping: TableMapping,
  info: TableInfo,
  defaultRule: Plan['unknownColumns'],
  origin: ResolvedTable['origin'],
  out: { decisions: PlanDecision[]; problems: string[]; countTypes: CountTypes },
): ResolvedTable | null {
  const { decisions, problems } = out;
  const target = mapping.target;
  if (target.kind === 'skip') return null;
  const columnOf = columnLookup(info);
  const keyColumns = info.columns
    .filter((c) => c.pkPosition > 0)
    .sort((a, b) => a.pkPosition - b.pkPosition)
    .map((c) => c.name);
  const readColumns = [...keyColumns];
  const indexOf = (name: string): number => {
    const at = readColumns.indexOf(name);
    return at !== -1 ? at : readColumns.push(name) - 1;
  };

  const specs =
    target.kind === 'postgres'
      ? target.columns.map((c) => ({ ...c, kind: c.type, targetType: pgColumnType(c.type) }))
      : target.fields.map((f) => ({ ...f, kind: MONGO_CAST[f.type], targetType: f.type }));
  const columns: ResolvedColumn[] = [];
  const used = new Set<string>();
  for (const spec of specs) {
    const column = columnOf(spec.source);
    if (!column) {
      if (spec.ifMissing === 'target-default') {
        decisions.push({
          table: info.name,
          column: spec.source,
          decision: 'target-default',
          reason: `not in this file (added by a later release); ${spec.target} gets the target's default`,
        });
      } else {
        problems.push(
          `${info.name}: the plan maps column ${JSON.stringify(spec.source)}, which the table does not have (it has ${info.columns.map((c) => JSON.stringify(c.name)).join(', ')})`,
        );
      }
      continue;
    }
    used.add(column.name);
    if (spec.note)
      decisions.push({
        table: info.name,
        column: column.name,
        decision: 'note',
        reason: spec.note,
      });
    const cast = (v: unknown): unknown => {
      const r = castValue(spec.kind, v);
      return r.ok ? r.value : v;
    };
    columns.push({
      source: column.name,
      index: indexOf(column.name),
      target: spec.target,
      type: spec.kind,
      targetType: spec.targetType,
      nullable: spec.nullable,
      onInvalid: spec.onInvalid,
      emptyToNull:
        (spec.emptyString ?? (spec.kind === 'text' || spec.kind === 'bytea' ? 'keep' : 'null')) ===
        'null',
      nullReplacement: spec.nullReplacement === undefined ? null : cast(spec.nullReplacement),
      fractional: spec.fractional,
      allowedValues: spec.allowedValues ? spec.allowedValues.map(cast) : null,
    });
  }

  const rule = mapping.unknownColumns ?? defaultRule;
  const extraTarget = target.kind === 'postgres' ? target.extraColumn : target.extraField;
  const extraSources: ResolvedExtra['sources'] = [];
  for (const column of info.columns) {
    if (used.has(column.name)) continue;
    out.countTypes(info);
    const o = observedTypes(column);
    const values = o.integer + o.real + o.text + o.blob;
    if (column.generated) {
      decisions.push({
        table: info.name,
        column: column.name,
        decision: 'left-out',
        reason: 'generated column: its values are computed from other columns',
      });
    } else if (rule === 'jsonb-extra') {
      extraSources.push({ name: column.name, index: indexOf(column.name) });
      decisions.push({
        table: info.name,
        column: column.name,
        decision: 'kept-in-extra',
        reason: `not in the plan; its ${values} non-NULL value(s) are kept under "${column.name}" in ${target.kind === 'postgres' ? `the jsonb column ${extraTarget}` : `the field ${extraTarget}`}`,
      });
    } else if (rule === 'skip') {
      decisions.push({
        table: info.name,
        column: column.name,
        decision: 'left-out',
        reason: `not in the plan and unknownColumns is 'skip': ${values} non-NULL value(s) not migrated`,
      });
    } else {
      problems.push(
        `${info.name}: column ${JSON.stringify(column.name)} (${values} non-NULL value(s)) is not in the plan`,
      );
    }
  }
  const extra = extraSources.length > 0 ? { target: extraTarget, sources: extraSources } : null;
  const outputColumns = [...columns.map((c) => c.target), ...(extra ? [extra.target] : [])];

  return {
    source: info.name,
    origin,
    rowCount: info.rowCount,
    rowidName: info.rowidName,
    keyColumns,
    readColumns,
    columns,
    extra,
    outputColumns,
    autoincrementSeq: info.autoincrementSeq,
    target:
      target.kind === 'postgres'
        ? {
            kind: 'postgres',
            table: target.table,
            columnTypes: [...columns.map((c) => c.targetType), ...(extra ? ['jsonb'] : [])],
            primaryKey: target.primaryKey,
            uniqueKeys: target.uniqueKeys,
            foreignKeys: target.foreignKeys,
            indexes: target.indexes,
            dedupe: target.dedupe,
            onConflict: target.onConflict,
            create: target.create,
            addColumns: extra && !target.create ? [{ name: extra.target, type: 'jsonb' }] : [],
          }
        : { kind: 'mongo', collection: target.collection, idField: target.idField ?? null },
  };
}

/** Column lookup with SQLite's case-insensitive names. */
function columnLookup(info: TableInfo): (name: string) => TableInfo['columns'][number] | undefined {
  return (name) =>
    info.columns.find((c) => c.name === name) ??
    singleOrNone(info.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase()));
}

function singleOrNone<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}
