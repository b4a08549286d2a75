/**
 * PostgreSQL's output functions, reproduced: how each converted value prints
 * when PostgreSQL reads it back as text under the migration's session
 * settings (TimeZone UTC, DateStyle ISO, extra_float_digits 1; see
 * run/pg-session.ts). The cast registry (registry.ts) gives each cast kind
 * its printer from here; the COPY line writer (run/pg-text.ts) and the
 * document checksums use them. Any difference from the server's own output
 * would show up as a verification mismatch, so
 * test/integration/migrate/pg-canonical-text.test.ts compares them with a
 * real server.
 */

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** '.123', '.12', '.1' (trailing zeros trimmed, as PostgreSQL prints them); '' for 0. */
const FRACTIONS = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0')}`.replace(/0+$/, ''),
);
/** 'YYYY-MM-DD ' per day number, built once per day seen (a million rows span a few hundred days). */
const dayPrefixes = new Map<number, string>();

/** timestamptz output with TimeZone UTC and DateStyle ISO: `2024-01-02 03:04:05.6+00`. */
export function timestamptzText(date: Date): string {
  const ms = date.getTime();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    // toISOString uses ±YYYYYY only outside 0000–9999; the casts keep dates within 0001–9999.
    prefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
    if (dayPrefixes.size >= 100_000) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[seconds]!}${FRACTIONS[millis]!}+00`;
}

/**
 * float8out (extra_float_digits = 1, PostgreSQL 12+): the shortest digits that
 * round-trip, printed in fixed notation for decimal exponents -4..14 and as
 * `d.ddde+XX` otherwise. JavaScript picks the same shortest digits except
 * when its candidate lies exactly on the boundary of the double's rounding
 * interval (allowed for an even mantissa): PostgreSQL's Ryu never takes the
 * boundary and prints one more digit (4.5869016647338864e+16, where
 * JavaScript says 45869016647338860).
 */
export function float8Text(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let [digits, exponent] = shortest(x.toExponential());
  // More digits until off the boundary (the next length may round to the same boundary value).
  for (let n = digits.length + 1; n <= 17 && onRoundingBoundary(Math.abs(x), digits, exponent); n++)
    [digits, exponent] = shortest(x.toPrecision(n));
  const sign = x < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 15) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exponent);
    return `${sign}${body}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return sign + placeDecimalPoint(digits, exponent);
}

/** Significant digits (no trailing zeros) and decimal exponent of JS number text. */
function shortest(text: string): [string, number] {
  const [mantissa, exponentText] = text.replace(/^-/, '').split('e') as [string, string?];
  const [int, frac = ''] = mantissa.split('.') as [string, string?];
  let digits = (int + frac).replace(/^0+/, '');
  let exponent =
    exponentText === undefined ? int.length - 1 : Number(exponentText) + int.length - 1;
  if (/^0*$/.test(int)) exponent = -(frac.length - frac.replace(/^0+/, '').length) - 1;
  digits = digits.replace(/0+$/, '') || '0';
  return [digits, exponent];
}

/** Is d.ddd × 10^exponent exactly x ± half the gap to its neighbour (x > 0, finite)? */
function onRoundingBoundary(x: number, digits: string, exponent: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const q = biased === 0 ? -1074 : biased - 1075;
  // Everything as integers over a common denominator 2^(2 - q) · 10^(-p) (when those are positive).
  const p = exponent - (digits.length - 1);
  const twos = BigInt(Math.max(0, 2 - q));
  const tens = BigInt(Math.max(0, -p));
  const scale = (n: bigint, pow2: number, pow10: number): bigint =>
    n * 2n ** (BigInt(pow2) + twos) * 10n ** (BigInt(pow10) + tens);
  const d = scale(BigInt(digits), 0, p);
  const value = scale(m, q, 0);
  const up = scale(1n, q - 1, 0);
  // Below a power of two the gap to the smaller neighbour is half as wide.
  const down = biased > 1 && fraction === 0n ? scale(1n, q - 2, 0) : up;
  return d === value + up || d === value - down;
}

/** `digits` (d.ddd × 10^exponent, no leading zeros) as a plain decimal. */
function placeDecimalPoint(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/**
 * jsonb output: object keys ordered by byte length, then bytes (jsonb's
 * internal order), `", "` and `": "` separators, strings escaped like
 * JSON.stringify (PostgreSQL's escape_json escapes the same characters the
 * same way), numbers as plain decimals — jsonb stores numbers as `numeric`,
 * which prints `1e21` as `1000000000000000000000`.
 */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return jsonNumberText(value);
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  entries.sort(([a], [b]) => compareJsonbKeys(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${jsonbText(v)}`).join(', ')}}`;
}

/** Anything but printable ASCII takes the exact (byte-wise) path. */
const NON_ASCII = /[^ -~]/;

function compareJsonbKeys(a: string, b: string): number {
  // ASCII (the usual case): byte length is the string length and byte order the code-unit order.
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b))
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length !== bb.length ? ab.length - bb.length : Buffer.compare(ab, bb);
}

/** A finite JS number as numeric text without exponent (JSON has no NaN/Infinity; the casts refuse them). */
export function jsonNumberText(x: number): string {
  if (x === 0) return '0';
  const [mantissa, exponentText] = x.toExponential().split('e') as [string, string];
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  return (x < 0 ? '-' : '') + placeDecimalPoint(digits, Number(exponentText));
}
