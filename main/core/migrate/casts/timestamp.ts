/**
 * Timestamps in a legacy file are text in whatever shape the writer chose
 * (docs/schema.md): SQLite's CURRENT_TIMESTAMP ('YYYY-MM-DD HH:MM:SS', UTC),
 * JavaScript's toISOString() ('…Z'), ISO 8601 with an offset, bare dates,
 * epoch numbers, and JavaScript's toString()/toUTCString(). Each accepted
 * shape has one meaning:
 *
 * - no zone (SQLite style, 'T' without zone, date-only) → UTC, because
 *   SQLite's date functions and CURRENT_TIMESTAMP are UTC;
 * - epoch numbers (also as text, also '1700000000123.0' from a float bound
 *   into a TEXT column): |n| < 1e11 → seconds, else milliseconds. 1e11 s is
 *   the year 5138 and 1e11 ms is March 1973, so no plausible value of this
 *   application is ambiguous;
 * - years outside 0001–9999, impossible dates (Feb 30) and times (24:00,
 *   leap seconds) are invalid — never rolled over into another date.
 *
 * Julian-day REALs (SQLite's julianday()) are not recognised: the legacy
 * API never wrote them, and as epoch seconds they would land in January 1970,
 * which is why such values deserve a human look rather than a guess.
 */
import { changed, describeValue, invalid, ok, type CastResult } from './cast-result.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(?:\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?$/i;
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const WEEKDAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
/** Date.prototype.toUTCString(): 'Tue, 02 Jan 2024 10:00:00 GMT'. */
const UTC_STRING = new RegExp(
  `^(?:${WEEKDAYS}), (\\d{2}) (${MONTHS}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
/** Date.prototype.toString(): 'Tue Jan 02 2024 10:00:00 GMT+0100 (Central European Standard Time)'. */
const JS_STRING = new RegExp(
  `^(?:${WEEKDAYS}) (${MONTHS}) (\\d{2}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT([+-]\\d{4})(?: \\([^)]*\\))?$`,
);
const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;
const NONZERO = /[1-9]/;
const MONTH_INDEX = new Map(MONTHS.split('|').map((m, i) => [m, i + 1]));

const DAY_MS = 86_400_000;
const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const EPOCH_SECONDS_LIMIT = 1e11;

const EXPECTED = "expected ISO 8601, 'YYYY-MM-DD HH:MM:SS', a date, or epoch seconds/milliseconds";

interface Parsed {
  ms: number;
  /**
   * The calendar date as written (before any offset), for the date cast —
   * as numbers: only a date column needs the text, and the timestamp cast
   * runs for every row.
   */
  year: number;
  month: number;
  day: number;
  hasTime: boolean;
  /** Digits beyond milliseconds that were not zero. */
  subMillisDropped: boolean;
}

/** Parses one stored value; a string reason when it is not a timestamp. */
function parse(value: unknown): Parsed | string {
  if (typeof value === 'number') return fromEpoch(value, value);
  if (typeof value === 'bigint') return fromEpoch(Number(value), value);
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? 'an invalid Date' : fromEpoch(ms, value, true);
  }
  if (typeof value !== 'string') return `${describeValue(value)} is not a timestamp (${EXPECTED})`;
  const fast = parseCommonShape(value);
  if (fast !== null) return fast;
  const text = value.trim();
  let m = ISO.exec(text);
  if (m) {
    const frac = m[7] ?? '';
    return fromParts(
      value,
      +m[1]!,
      +m[2]!,
      +m[3]!,
      m[4] === undefined ? -1 : +m[4],
      +(m[5] ?? 0),
      +(m[6] ?? 0),
      frac,
      zoneMinutes(m[8]),
    );
  }
  if (NUMERIC.test(text)) return fromEpoch(Number(text), value);
  m = UTC_STRING.exec(text);
  if (m)
    return fromParts(value, +m[3]!, MONTH_INDEX.get(m[2]!)!, +m[1]!, +m[4]!, +m[5]!, +m[6]!, '', 0);
  m = JS_STRING.exec(text);
  if (m)
    return fromParts(
      value,
      +m[3]!,
      MONTH_INDEX.get(m[1]!)!,
      +m[2]!,
      +m[4]!,
      +m[5]!,
      +m[6]!,
      '',
      zoneMinutes(m[7]),
    );
  return `${describeValue(value)} is not a timestamp (${EXPECTED})`;
}

/**
 * The two shapes nearly every legacy row has — toISOString()'s
 * 'YYYY-MM-DDTHH:MM:SS.sssZ' and CURRENT_TIMESTAMP's 'YYYY-MM-DD HH:MM:SS' —
 * read by character codes instead of the general ISO regex (this runs once
 * per row). Exactly what the regex path would produce for them; null for
 * anything else, which then takes the general path.
 */
function parseCommonShape(text: string): Parsed | string | null {
  const len = text.length;
  if (len !== 24 && len !== 19) return null;
  const sep = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 || // '-'
    text.charCodeAt(7) !== 45 ||
    (sep !== 84 && sep !== 32 && sep !== 116) || // 'T', ' ', 't' (the regex is case-insensitive)
    text.charCodeAt(13) !== 58 || // ':'
    text.charCodeAt(16) !== 58
  )
    return null;
  if (len === 24) {
    const z = text.charCodeAt(23);
    if (text.charCodeAt(19) !== 46 || (z !== 90 && z !== 122)) return null; // '.', 'Z'/'z'
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const millis = len === 24 ? digits(text, 20, 3) : 0;
  if ((year | month | day | hour | minute | second | millis) < 0) return null;
  return fromParts(
    text,
    year,
    month,
    day,
    hour,
    minute,
    second,
    len === 24 ? text.slice(20, 23) : '',
    0,
  );
}

/** The decimal number of text[start, start + count), or -1 if any of them is not an ASCII digit. */
function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Minutes east of UTC; NaN for an impossible offset. */
function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined || (zone[0] !== '+' && zone[0] !== '-')) return 0; // none, Z, UTC, GMT
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = +digits.slice(0, 2);
  const minutes = digits.length > 2 ? +digits.slice(2, 4) : 0;
  return hours > 14 || minutes > 59 ? NaN : sign * (hours * 60 + minutes);
}

function fromParts(
  original: unknown,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  frac: string,
  offset: number,
): Parsed | string {
  const hasTime = hour >= 0;
  const h = hasTime ? hour : 0;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `${describeValue(original)} is not a valid calendar date`;
  }
  if (h > 23 || minute > 59 || second > 59)
    return `${describeValue(original)} has an impossible time of day`;
  if (Number.isNaN(offset)) return `${describeValue(original)} has an impossible UTC offset`;
  const millis = frac === '' ? 0 : +(frac + '00').slice(0, 3);
  const ms =
    daysFromCivil(year, month, day) * DAY_MS +
    ((h * 60 + minute - offset) * 60 + second) * 1000 +
    millis;
  if (ms < MIN_MS || ms > MAX_MS)
    return `${describeValue(original)} is outside the years 0001–9999`;
  return {
    ms,
    year,
    month,
    day,
    hasTime: hasTime && (h !== 0 || minute !== 0 || second !== 0 || NONZERO.test(frac)),
    subMillisDropped: frac.length > 3 && NONZERO.test(frac.slice(3)),
  };
}

function fromEpoch(n: number, original: unknown, isMillis = false): Parsed | string {
  if (!Number.isFinite(n)) return `${describeValue(original)} is not a timestamp (${EXPECTED})`;
  // Rounding absorbs float noise such as 1700000000.123 * 1000 = 1700000000122.9998.
  const ms = Math.round(isMillis || Math.abs(n) >= EPOCH_SECONDS_LIMIT ? n : n * 1000);
  if (ms < MIN_MS || ms > MAX_MS)
    return `${describeValue(original)} is outside the years 0001–9999`;
  const d = new Date(ms);
  return {
    ms,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hasTime: ms % DAY_MS !== 0,
    subMillisDropped: false,
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A timestamptz value as a Date (an instant; PostgreSQL stores it in UTC). */
export function toTimestamptz(value: unknown): CastResult {
  const p = parse(value);
  if (typeof p === 'string') return invalid(value, p);
  const date = new Date(p.ms);
  return p.subMillisDropped
    ? changed(
        date,
        'sub-millisecond-dropped',
        value,
        'digits beyond milliseconds dropped (JavaScript dates hold milliseconds)',
      )
    : ok(date);
}

/** A date value as 'YYYY-MM-DD': the calendar date as written; epoch values use their UTC date. */
export function toDate(value: unknown): CastResult {
  const p = parse(value);
  if (typeof p === 'string') return invalid(value, p);
  const date = `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}`;
  return p.hasTime
    ? changed(date, 'time-dropped', value, 'time of day dropped for a date column')
    : ok(date);
}
