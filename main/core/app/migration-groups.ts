/**
 * Rejects and changes as the fix-it view reads them: every line of the
 * report's rejects.jsonl and changes.jsonl, grouped by table, column and
 * reason (or kind of change) with counts and a few examples, and for each
 * group of rejects the one-click rule actions that are safe for it. The
 * engine's report may carry these groups already; these are counted from
 * the files, which hold every line (the report lists only the first 200).
 */
import { existsSync, readFileSync } from 'node:fs';
import type {
  ChangeGroupDto,
  FixAction,
  RejectGroupDto,
  RejectLineDto,
} from '../../../shared-contract/index.js';

const EXAMPLES = 5;
/** Lines sent to the screen for editing; the groups still count all of them. */
export const MAX_EDIT_LINES = 1_000;

function readJsonl(file: string | null | undefined): Record<string, unknown>[] {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const text = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === null || v === undefined
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v as number | boolean);

export function rejectLines(file: string | null | undefined): RejectLineDto[] {
  return readJsonl(file).map((r, i) => ({
    line: i + 1,
    table: text(r.table),
    key: text(r.key),
    column: text(r.column),
    original: text(r.original),
    reason: text(r.reason),
    ...(typeof r.message === 'string' ? { message: r.message } : {}),
    ...(r.cascade === true ? { cascade: true } : {}),
    row: (r.row ?? {}) as Record<string, unknown>,
  }));
}

/** The rule actions that keep a group's rows without guessing what the admin meant. */
export function safeFixes(
  line: Pick<RejectLineDto, 'reason' | 'message' | 'cascade'>,
): FixAction[] {
  const message = line.message ?? '';
  if (line.reason === 'orphan') return ['drop'];
  if (line.reason === 'duplicate key') return ['keep-first-rename'];
  if (line.reason === 'fractional') return ['round'];
  if (line.reason === 'unparseable' && /fractional part/.test(message)) return ['round'];
  if (/too long|longer than/i.test(message)) return ['truncate'];
  if (line.reason === 'unparseable' || line.reason === 'invalid value') return ['keep-in-extra'];
  return [];
}

export function groupRejects(lines: readonly RejectLineDto[]): RejectGroupDto[] {
  const groups = new Map<string, RejectGroupDto>();
  for (const l of lines) {
    const id = JSON.stringify([l.table, l.column, l.reason, l.cascade === true]);
    let g = groups.get(id);
    if (!g) {
      g = {
        table: l.table,
        column: l.column,
        reason: l.reason,
        count: 0,
        cascade: l.cascade === true,
        examples: [],
        fixes: safeFixes(l),
      };
      groups.set(id, g);
    }
    g.count++;
    if (g.examples.length < EXAMPLES) g.examples.push(l.key);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function groupChanges(file: string | null | undefined): ChangeGroupDto[] {
  const groups = new Map<string, ChangeGroupDto>();
  for (const c of readJsonl(file)) {
    const kind = text(c.kind ?? c.code) || 'changed';
    const id = JSON.stringify([c.table, c.column, kind]);
    let g = groups.get(id);
    if (!g) {
      g = { table: text(c.table), column: text(c.column), kind, count: 0, examples: [] };
      groups.set(id, g);
    }
    g.count++;
    if (g.examples.length < EXAMPLES)
      g.examples.push({
        key: text(c.key),
        from: text(c.original),
        to: c.converted === null || c.converted === undefined ? 'empty' : text(c.converted),
      });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
