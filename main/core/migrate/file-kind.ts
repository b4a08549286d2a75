/**
 * What kind of file something is, said without quoting it. The migration
 * reads any path the admin token names; an error that echoed a file's first
 * bytes or key names would turn "migrate this file" into "show me this file"
 * (`/etc/shadow`'s first line, a credentials file's keys). So errors about a
 * file that is not what was expected say what it is — "a text file", "a
 * ZIP archive" — and never what it contains.
 */

const SIGNATURES: { magic: number[]; kind: string }[] = [
  { magic: [0x1f, 0x8b], kind: 'a gzip-compressed file' },
  { magic: [0x50, 0x4b, 0x03, 0x04], kind: 'a ZIP archive' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], kind: 'an executable program (ELF)' },
  { magic: [0x25, 0x50, 0x44, 0x46], kind: 'a PDF document' },
  { magic: [0x89, 0x50, 0x4e, 0x47], kind: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], kind: 'a JPEG image' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], kind: 'a zstd-compressed file' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a], kind: 'an xz-compressed file' },
  { magic: [0x42, 0x5a, 0x68], kind: 'a bzip2-compressed file' },
  { magic: [0x50, 0x47, 0x44, 0x4d, 0x50], kind: 'a PostgreSQL custom-format dump (pg_dump -Fc)' },
];

const SQL_START =
  /^(?:--|\/\*|pragma\b|begin\b|create\b|insert\b|drop\b|alter\b|update\b|delete\b|select\b|with\b|set\b)/i;

/** Text files are valid UTF-8 without control bytes other than tab/CR/LF. */
export function looksLikeText(bytes: Buffer): boolean {
  for (const b of bytes) {
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  }
  // stream: true holds back a multi-byte character cut by a short read.
  return !new TextDecoder('utf-8').decode(bytes, { stream: true }).includes('\ufffd');
}

/** "a text file", "an SQL script", "a ZIP archive"… from the first bytes; never their content. */
export function describeFileKind(bytes: Buffer): string {
  if (bytes.length === 0) return 'an empty file';
  for (const { magic, kind } of SIGNATURES) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return kind;
  }
  if (!looksLikeText(bytes)) return 'binary data of an unknown kind';
  const start = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (SQL_START.test(start)) return 'an SQL script (a text dump)';
  if (start.startsWith('{') || start.startsWith('[')) return 'a JSON file';
  if (start.startsWith('<')) return 'an XML or HTML file';
  return 'a text file';
}
