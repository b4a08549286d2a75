/**
 * Rejects and changes in words for the fix-it view: what each reason means,
 * what fixes it, what each one-click fix does, and the kinds of changed
 * values. Pure.
 */
import type { FixAction, RejectGroupDto } from '../../../shared-contract/methods/migration.js';

export const REASON_TEXT: Record<string, string> = {
  unparseable: 'The value cannot be read as the column’s type.',
  fractional: 'A number with a fractional part, in a column that holds whole numbers.',
  orphan: 'The row points at a row that does not exist (or was rejected itself).',
  'duplicate key': 'Another row already has the same value where each must be unique.',
  'not-null': 'A value the column requires is empty.',
  'not allowed': 'The value is not one the column allows.',
  check: 'The value breaks a rule of the target table.',
  'invalid value': 'The value is not valid for the column.',
};

export function reasonText(reason: string): string {
  return REASON_TEXT[reason] ?? reason;
}

/**
 * The plain-language fix for a group: what the admin can do, one-click or by
 * hand. `afterRun`: the rows are applied again to a finished run, where
 * dropping orphans is no longer offered (it is a choice for the run).
 */
export function fixText(
  g: Pick<RejectGroupDto, 'reason' | 'cascade' | 'fixes' | 'column'>,
  afterRun = false,
): string {
  if (g.cascade)
    return 'Fix the parent row first: when it is applied, these rows are applied with it.';
  if (g.fixes.includes('round'))
    return 'Round to a whole number, or type the right value in the rows below.';
  if (g.fixes.includes('truncate')) return 'Cut the text to fit, or shorten it in the rows below.';
  switch (g.reason) {
    case 'orphan':
      return afterRun
        ? `Correct ${g.column} below to a row that exists, or fix the row it points at, then apply again. Rows left here are listed in the report, not lost.`
        : `Fix or add the row it points at (${g.column}), or drop these rows in the run: dropped rows are listed as changes, not lost silently.`;
    case 'duplicate key':
      return 'Keep the first row and give this one a distinct value below, or keep the first and let Nova rename this one (recorded as a change).';
    case 'not-null':
      return `Fill in ${g.column} in the rows below.`;
    case 'unparseable':
      return `Type the right value for ${g.column} in the rows below (a date as 2024-05-01 14:30), or keep the value as text in the row’s extra data.`;
    default:
      return `Correct ${g.column} in the rows below.`;
  }
}

export const FIX_LABEL: Record<FixAction, string> = {
  round: 'Round to whole number',
  truncate: 'Cut to fit',
  'keep-in-extra': 'Keep as text',
  'keep-first-rename': 'Keep the first duplicate',
  merge: 'Merge the duplicates',
  drop: 'Drop these rows',
};

/** Kinds of changed values (changes file codes and rule kinds) in words. */
const CHANGE_TEXT: Record<string, string> = {
  'invalid-to-null': 'Unreadable value stored as empty',
  'invalid-kept-as-text': 'Unreadable value kept as text',
  'empty-to-null': 'Empty text stored as empty (no value)',
  'blob-base64': 'Binary data stored as base64 text',
  'blob-decoded-utf8': 'Binary data read as text',
  'text-to-bytes': 'Text stored as binary data',
  'nul-stripped': 'Invisible NUL characters removed',
  'null-replaced': 'Missing required value set to its default',
  'precision-lost': 'Number stored with less precision',
  'sub-millisecond-dropped': 'Time cut to whole milliseconds',
  'time-dropped': 'Time of day dropped (date only)',
  rounded: 'Rounded to a whole number',
  truncated: 'Cut to fit',
  'kept-in-extra': 'Kept as text in the extra data',
  'renamed-duplicate': 'Duplicate renamed',
  'merged-duplicate': 'Duplicates merged',
  'dropped-orphan': 'Row without its parent dropped',
  'remapped-to-merged': 'Pointed at the merged duplicate',
  'timestamp-normalised': 'Date and time written in standard form',
};

export function changeText(kind: string): string {
  return CHANGE_TEXT[kind] ?? kind.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
