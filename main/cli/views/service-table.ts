/** The services as `status`, `up` and `down` print them: a table, then what is wrong and its fix. */
import type { ServiceReport } from '../../core/services/service-control.js';

/** A plain-text table: columns padded to the widest cell. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Human-readable service reports: a table, then the reason and fix of anything not healthy. */
export function formatServiceReports(reports: ServiceReport[]): string {
  const rows = [
    ['SERVICE', 'PROFILE', 'STATE', 'PORT', 'PID', 'URL'],
    ...reports.map((r) => [
      r.service,
      r.profile,
      r.state,
      r.port !== undefined ? String(r.port) : '-',
      r.pid !== undefined ? String(r.pid) : '-',
      r.url ?? '-',
    ]),
  ];
  const notes = reports.flatMap((r) =>
    r.reason && r.state !== 'healthy'
      ? [`${r.service}: ${r.reason}`, ...(r.fix ? [`  fix: ${r.fix}`] : [])]
      : [],
  );
  return `${table(rows)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}
