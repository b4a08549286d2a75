/**
 * Progress of a migration on the terminal: a bar redrawn in place on stderr
 * when stderr is a TTY (phase, table, rows done/total, rows/s, ETA), a plain
 * log line when a phase or table first shows up otherwise, so redirected
 * output stays readable. Nothing goes to stdout, which belongs to the result.
 */
import type { TaskProgress } from '../../core/tasks/task.js';

const WIDTH = 24;
const REDRAW_MS = 100;

export class ProgressView {
  private lastDraw = 0;
  private drawn = false;
  /**
   * Labels already shown. Two tables load at once and their updates
   * interleave: a label seen before is redrawn on the current line (TTY) or
   * not logged again, so the output gets one line per table, not per batch.
   */
  private readonly seen = new Set<string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  update(p: TaskProgress): void {
    const label = p.item ? `${p.phase} ${p.item}` : p.phase;
    const first = !this.seen.has(label);
    this.seen.add(label);
    if (!this.tty) {
      if (first)
        this.log(
          `migrate: ${label}${p.total !== null && p.phase === 'load' ? ` (${p.total} rows)` : ''}`,
        );
      return;
    }
    const at = this.now();
    // Throttled across tables too: two loading at once alternate on almost every update.
    if (!first && at - this.lastDraw < REDRAW_MS && p.done !== p.total) return;
    if (first && this.drawn) this.write('\n');
    this.lastDraw = at;
    this.drawn = true;
    this.write(`\r\x1b[2K${renderLine(p)}`);
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.tty && this.drawn) this.write('\n');
    this.drawn = false;
  }
}

/** One progress line: `load logs [██████░░░░]  54%  540,000/1,000,000  98,000 rows/s  ETA 5s`. */
export function renderLine(p: TaskProgress): string {
  const name = p.item ? `${p.phase} ${p.item}` : p.phase;
  if (p.total === null || p.total <= 0)
    return `${name}  ${p.done > 0 ? p.done.toLocaleString('en-US') : ''}`.trimEnd();
  const ratio = Math.min(1, Math.max(0, p.done / p.total));
  const full = Math.round(ratio * WIDTH);
  const parts = [
    name,
    `[${'█'.repeat(full)}${'░'.repeat(WIDTH - full)}]`,
    `${Math.floor(ratio * 100)}%`.padStart(4),
    `${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}`,
  ];
  if (p.rate !== null && p.rate > 0)
    parts.push(`${Math.round(p.rate).toLocaleString('en-US')} rows/s`);
  if (p.etaSeconds !== null && p.done < p.total) parts.push(`ETA ${formatSeconds(p.etaSeconds)}`);
  return parts.join('  ');
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
