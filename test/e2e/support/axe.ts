/**
 * Accessibility checks for the browser tests: axe-core (from npm) is
 * evaluated into the page through the DevTools protocol — which the
 * renderer's strict CSP (script-src 'self') does not apply to, unlike a
 * script tag — and run against the whole document. A serious or critical
 * finding fails the test; every run is also kept in a per-file log
 * (`axeSummary()`), so a closing note can list what each screen scored.
 *
 * Usage:
 *   await expectAxeClean(page, 'setup 1280×800');
 * or, to inspect without failing:
 *   const result = await runAxe(page);
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** What axe reports per rule broken; the subset the tests read. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

export interface AxeResult {
  violations: AxeViolation[];
  /** Rules that passed on this page (a count, so a page with no content is visible). */
  passes: number;
  incomplete: number;
}

export interface AxeOptions {
  /** CSS selectors left out (e.g. a third-party widget); keep empty for our own screens. */
  exclude?: string[];
  /** Which impacts fail expectAxeClean; default serious and critical. */
  failOn?: AxeViolation['impact'][];
}

const require = createRequire(import.meta.url);
let source: string | undefined;
function axeSource(): string {
  source ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/** Every axe run of this test process: label → counts by impact. */
const runs: { label: string; counts: Record<string, number>; rules: string[] }[] = [];

export async function runAxe(page: Page, options: AxeOptions = {}): Promise<AxeResult> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  // A string is evaluated as a script by the DevTools protocol, outside the page's CSP.
  if (!loaded) await page.evaluate(axeSource());
  return page.evaluate(async (exclude: string[]) => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: AxeViolation[]; passes: unknown[]; incomplete: unknown[] }>;
        };
      }
    ).axe;
    const context = exclude.length
      ? { include: [document], exclude: exclude.map((s) => [s]) }
      : document;
    const r = await axe.run(context, {
      resultTypes: ['violations'],
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return {
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target,
          html: n.html.slice(0, 300),
          ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}),
        })),
      })),
      passes: r.passes.length,
      incomplete: r.incomplete.length,
    };
  }, options.exclude ?? []);
}

/** One line per finding, the way a person fixes them: rule, impact, where, why. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact ?? 'n/a'} ${v.id}: ${v.help}\n${v.nodes
          .slice(0, 5)
          .map(
            (n) =>
              `    at ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ') ?? n.html}`,
          )
          .join('\n')}`,
    )
    .join('\n');
}

/**
 * Runs axe on the page as it is now and throws when it finds anything of a
 * failing impact (serious or critical unless told otherwise). `label` names
 * the screen and size in the failure and in axeSummary().
 */
export async function expectAxeClean(
  page: Page,
  label: string,
  options: AxeOptions = {},
): Promise<AxeResult> {
  const failOn = options.failOn ?? ['serious', 'critical'];
  const result = await runAxe(page, options);
  const counts: Record<string, number> = {};
  for (const v of result.violations)
    counts[v.impact ?? 'n/a'] = (counts[v.impact ?? 'n/a'] ?? 0) + 1;
  runs.push({ label, counts, rules: result.violations.map((v) => `${v.impact}:${v.id}`) });
  const failing = result.violations.filter((v) => failOn.includes(v.impact));
  if (failing.length > 0) {
    throw new Error(
      `axe found ${failing.length} ${failOn.join('/')} problem(s) on ${label}:\n${describeViolations(failing)}`,
    );
  }
  return result;
}

/** `setup 1024×600: clean (0 serious/critical; 1 moderate: region)`, one line per run so far. */
export function axeSummary(): string[] {
  return runs.map(({ label, counts, rules }) => {
    const bad = (counts.serious ?? 0) + (counts.critical ?? 0);
    const other = rules.filter((r) => !/^(serious|critical):/.test(r));
    return `${label}: ${bad === 0 ? 'clean' : `${bad} serious/critical`}${other.length ? ` (other: ${other.join(', ')})` : ''}`;
  });
}
