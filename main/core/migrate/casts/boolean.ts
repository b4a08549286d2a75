/**
 * Flags were 0/1 in the legacy API, but SQLite kept whatever the front ends
 * sent: 'true', 'yes', 'on', 't'. Only spellings that unambiguously mean
 * true or false convert; anything else is invalid (never guessed: a wrong
 * `disabled` flag would re-enable an account).
 */
import { describeValue, invalid, ok, type CastResult } from './cast-result.js';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on', 't']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off', 'f']);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const TRUE = ok(true);
const FALSE = ok(false);

const EXPECTED = 'expected 0/1, true/false, yes/no, on/off or t/f';

export function toBoolean(value: unknown): CastResult {
  // Shared results: a boolean column on a million rows allocates nothing here.
  if (value === 1 || value === 1n || value === true) return TRUE;
  if (value === 0 || value === 0n || value === false) return FALSE;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return TRUE;
    if (FALSE_WORDS.has(word)) return FALSE;
    // '1.0' / '0.0': a float bound into a TEXT column.
    if (DECIMAL.test(word)) {
      const n = Number(word);
      if (n === 1) return TRUE;
      if (n === 0) return FALSE;
    }
  }
  return invalid(value, `${describeValue(value)} is not a boolean (${EXPECTED})`);
}
