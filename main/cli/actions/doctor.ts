/** What `nova-db doctor` does once parsed (registered in ../commands/doctor.ts). */
import { toErrorData } from '../../core/errors.js';
import type { ConfigOutcome, DoctorReport, Finding } from '../../core/services/doctor.js';
import { runDoctor } from '../../core/services/doctor-facts.js';
import { reportProblems } from '../views/one-line-errors.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, ReportedFailure } from '../output.js';
import { loadCommandConfig } from './command-config.js';

export async function doctor(ctx: CliContext, globals: GlobalOptions): Promise<void> {
  let config: ConfigOutcome;
  try {
    const loaded = await loadCommandConfig(ctx, globals);
    config = { ok: true, config: loaded.config, warnings: loaded.warnings };
  } catch (err) {
    config = { ok: false, error: toErrorData(err) };
  }
  const report = await runDoctor({ config });
  if (globals.json === true) printJson(ctx, report);
  else ctx.stdout(formatDoctorReport(report));

  const errors = report.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    reportProblems(ctx, [
      {
        name: 'DoctorFinding',
        code: 'SERVICE_UNAVAILABLE',
        message: `doctor found ${errors.length} problem${errors.length === 1 ? '' : 's'}; first: ${first.title} (${first.id})`,
        ...(first.fix ? { fix: first.fix } : {}),
      },
    ]);
    throw new ReportedFailure(`doctor found ${errors.length} error finding(s)`);
  }
}

const MARK: Record<Finding['severity'], string> = { ok: 'ok   ', warn: 'WARN ', error: 'ERROR' };

/** One line per finding, with detail and fix indented under warnings and errors. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARK[f.severity]} ${f.title}  [${f.id}]`);
    if (f.severity !== 'ok') {
      if (f.detail) lines.push(`      ${f.detail}`);
      if (f.fix) lines.push(`      fix: ${f.fix}`);
    }
  }
  const { ok, warn, error } = report.counts;
  lines.push(
    '',
    `${ok} ok, ${warn} warning${warn === 1 ? '' : 's'}, ${error} error${error === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
