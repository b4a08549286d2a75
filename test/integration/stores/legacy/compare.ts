/**
 * Puts an outcome in the form it is compared in: the comparisons a step
 * declares (clock values by shape, JSON text parsed, row order or duplicate
 * rows ignored, PRAGMA column sets, lastID only where it is meaningful) and
 * nothing else — values, value types and keys are compared exactly.
 */
import type { Outcome, Step } from './steps.js';

const SQLITE_TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function shapeOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (SQLITE_TS.test(value)) return '<YYYY-MM-DD HH:MM:SS>';
  if (ISO_TS.test(value)) return '<ISO-8601>';
  if (DATE.test(value)) return '<YYYY-MM-DD>';
  return value;
}

function normalizeRow(step: Step, row: unknown): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
    if (step.clock?.includes(k)) out[k] = shapeOf(v);
    else if (step.json?.includes(k) && typeof v === 'string') {
      try {
        out[k] = { json: JSON.parse(v) as unknown };
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  return out;
}

function normalizeRows(step: Step, rows: unknown): unknown {
  if (!Array.isArray(rows)) return normalizeRow(step, rows);
  let out = rows.map((r) => normalizeRow(step, r));
  if (step.columnsOnly) {
    return out
      .map((r) => {
        const c = r as { name?: unknown; type?: unknown };
        return `${String(c.name)} ${String(c.type)}`;
      })
      .sort();
  }
  if (step.distinct) out = [...new Map(out.map((r) => [canonical(r), r])).values()];
  if (step.unordered || step.distinct) {
    out = out.sort((a, b) => canonical(a).localeCompare(canonical(b)));
  }
  return out;
}

function walk(step: Step, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(step, v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'lastID' && !step.lastID) continue;
    if (k === 'rows' || k === 'row') out[k] = normalizeRows(step, v);
    else if (k === 'res') out[k] = normalizeRows(step, v);
    else out[k] = walk(step, v);
  }
  return out;
}

export function normalize(step: Step, outcome: Outcome): unknown {
  return walk(step, outcome);
}

/**
 * JSON with object keys sorted: row keys come in the upgraded schema's
 * column order, and jsonb keeps its own key order (both documented).
 */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
