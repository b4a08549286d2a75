/**
 * The rejected rows as CSV, for fixing in a spreadsheet: one line per
 * rejected row with the value to correct in `value`; uploading the file
 * back turns every changed `value` into an edit of that row. Pure.
 */
import type { RejectLineDto } from '../../../shared-contract/methods/migration-wizard.js';

const HEADER = ['line', 'table', 'key', 'column', 'reason', 'original', 'value'] as const;

function cell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function valueOf(line: RejectLineDto): string {
  const v = line.row[line.column];
  return v === null || v === undefined
    ? ''
    : typeof v === 'object'
      ? JSON.stringify(v)
      : String(v as string | number | boolean);
}

export function rejectsToCsv(lines: readonly RejectLineDto[]): string {
  return (
    [
      HEADER.join(','),
      ...lines.map((l) =>
        [String(l.line), l.table, l.key, l.column, l.reason, l.original, valueOf(l)]
          .map(cell)
          .join(','),
      ),
    ].join('\r\n') + '\r\n'
  );
}

/** RFC 4180 records (quoted cells may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/**
 * The new values in an uploaded CSV, by line of the rejects file, or the
 * problem in words. Only rows whose `value` differs from the current one count.
 */
export function editsFromCsv(
  text: string,
  lines: readonly RejectLineDto[],
): { values: Map<number, string> } | { problem: string } {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = rows.shift()?.map((h) => h.trim().toLowerCase());
  const li = header?.indexOf('line') ?? -1;
  const vi = header?.indexOf('value') ?? -1;
  if (!header || li === -1 || vi === -1)
    return {
      problem:
        'The file has no "line" and "value" columns. Download the CSV again and edit only its value column.',
    };
  const byLine = new Map(lines.map((l) => [l.line, l]));
  const values = new Map<number, string>();
  for (const [i, r] of rows.entries()) {
    const n = Number(r[li]);
    const line = byLine.get(n);
    if (!Number.isInteger(n) || !line)
      return {
        problem: `Row ${i + 2} of the file names line "${r[li] ?? ''}", which is not one of the rejected rows shown.`,
      };
    const value = r[vi] ?? '';
    if (value !== valueOf(line)) values.set(n, value);
  }
  return { values };
}
