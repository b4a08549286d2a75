/**
 * Turns zod issues and config sources into sentences an admin can act on:
 * which variable, what is wrong with it, what value we saw (secrets
 * masked) and where that value came from, so they know which file to edit.
 */
import type { z } from 'zod';
import { displayValue } from './redact.js';

/** Where a setting's value came from, strongest last: default < settings < dotenv < env < flag. */
export type ConfigSource = 'default' | 'settings' | 'dotenv' | 'env' | 'flag';

/** What is needed to name a source precisely in a message. */
export interface SourceLabels {
  dotenvFile: string;
  settingsFile: string;
  /** How a key is spelled on the command line (`NOVA_PORT` → `--port`). */
  flagNames?: Partial<Record<string, string>>;
}

export function describeSource(key: string, source: ConfigSource, labels: SourceLabels): string {
  switch (source) {
    case 'env':
      return 'from the environment';
    case 'dotenv':
      return `from ${labels.dotenvFile}`;
    case 'settings':
      return `from ${labels.settingsFile}`;
    case 'flag': {
      const flag = labels.flagNames?.[key];
      return flag ? `from ${flag} on the command line` : 'from the command line';
    }
    case 'default':
      return 'the default';
  }
}

/** One problem with one setting, as `NAME: what is wrong (got "value", from where)`. */
export interface SettingProblem {
  key: string;
  problem: string;
  /** The raw value, or undefined when the setting is missing. */
  value: unknown;
  /** Omitted when the caller is the source (e.g. a value handed to writeSettings). */
  source?: ConfigSource;
}

export function formatProblem(p: SettingProblem, labels: SourceLabels): string {
  if (p.value === undefined) return `${p.key}: ${p.problem} (not set)`;
  const where = p.source ? `, ${describeSource(p.key, p.source, labels)}` : '';
  return `${p.key}: ${p.problem} (got "${displayValue(p.key, p.value)}"${where})`;
}

/** The CONFIG_INVALID message: every bad setting, one per line when there are several. */
export function formatProblems(problems: SettingProblem[], labels: SourceLabels): string {
  const lines = problems.map((p) => formatProblem(p, labels));
  if (lines.length === 1) return `Invalid configuration: ${lines[0]}`;
  return `Invalid configuration, ${lines.length} settings to fix:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** What is wrong, phrased for a person rather than as zod's type-checker wording. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'must be a whole number';
      if (issue.expected === 'number') return 'must be a number';
      if (issue.expected === 'boolean') return 'must be true or false';
      if (issue.expected === 'string') return 'must be text';
      return `must be a ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`;
      }
      return issue.inclusive === false
        ? `must be greater than ${issue.minimum}`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive === false
        ? `must be less than ${issue.maximum}`
        : `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_union': {
      // Our only union is the boolean setting (true/false or its string
      // spellings); list every accepted spelling rather than "Invalid input".
      const accepted = issue.errors
        .flat()
        .flatMap((i) =>
          i.code === 'invalid_value'
            ? i.values.map(String)
            : i.code === 'invalid_type'
              ? [i.expected]
              : [],
        );
      return accepted.length
        ? `must be one of ${[...new Set(accepted)].join(', ')}`
        : issue.message;
    }
    default:
      return issue.message;
  }
}

/** The known key a mistyped one most likely meant, if any is close. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const u = unknown.toUpperCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(u, k);
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  // Close enough to be a typo, not merely another variable of similar length.
  return best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(best.length / 4)))
    ? best
    : undefined;
}

export function unknownKeyWarning(key: string, where: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  return `Unknown setting ${key} in ${where}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; it is ignored.`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}
