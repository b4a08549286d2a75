/**
 * The one loopback test. Whether an address is loopback decides which Host
 * headers the server answers to, whether /health needs the token and whether
 * listening needs TLS — so every one of those must agree, for every spelling
 * the operating system accepts: `127.1`, `0x7f.1`, `2130706433` and
 * `0177.0.0.1` all mean 127.0.0.1 to inet_aton (and so to listen()), and
 * `[::1]`, `0:0:0:0:0:0:0:1` and `::ffff:127.0.0.1` are IPv6 loopback.
 */
import { isIPv6 } from 'node:net';

export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === 'localhost.') return true;
  const v4 = parseInetAton(h);
  if (v4 !== null) return v4 >>> 24 === 127;
  if (isIPv6(h)) return isLoopbackIPv6(h);
  return false;
}

/** inet_aton: 1–4 parts, each decimal, octal (leading 0) or hex (0x); the last fills the remaining bytes. */
function parseInetAton(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : parseInt(part.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  let result = 0;
  values.forEach((v, i) => (result += v * 2 ** (8 * (3 - i))));
  return result + last;
}

function isLoopbackIPv6(h: string): boolean {
  const mapped =
    /^(?:0{0,4}:){0,5}:?ffff:((?:\d{1,3}\.){3}\d{1,3})$/.exec(h) ?? /^::ffff:(.+)$/.exec(h);
  if (mapped) return isLoopback(mapped[1]!);
  const [head = '', tail] = h.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const full =
    tail === undefined
      ? groups(head)
      : [
          ...groups(head),
          ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'),
          ...groups(tail),
        ];
  return (
    full.length === 8 && full.slice(0, 7).every((g) => /^0+$/.test(g)) && /^0*1$/.test(full[7]!)
  );
}
