/**
 * Secrets must never reach a log line, an error message, the CLI's output or
 * the UI. They travel in connection URLs (`postgres://user:PASSWORD@host`,
 * Redis's `redis://:PASSWORD@host`, `?password=…`, `?sslpassword=…`,
 * MongoDB's `tlsCertificateKeyFilePassword=…`), in `key=value`/JSON pairs
 * whose key names a secret, and as bearer tokens. `redactSecrets` is the one
 * function every output path uses for them (status, doctor, the API, the
 * logger, error messages), so they cannot disagree about what is secret.
 */

const MASK = '***';

/** Setting names whose whole value is secret. */
const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|API_?KEY|PRIVATE_?KEY/i;

/**
 * `scheme://user:password@` (user may be empty: Redis's `redis://:password@`).
 * The password may itself contain `@`, so take up to the last `@` of the token.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(\S*)@/gi;

/**
 * A whole value that is one URL (a setting, not prose) may hold a password
 * with spaces that the URL parser refuses: mask up to its last `@`.
 */
const WHOLE_URL_CREDENTIALS = /^(\s*[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\n]*)@(?=[^@\n]*$)/i;

/**
 * Key/value pairs whose key names a secret: query parameters (`?password=…`,
 * `&sslpassword=…`, `tlsCertificateKeyFilePassword=…`, `authSecret=…`),
 * `PGPASSWORD: …`, `"token": "…"`. The value ends at the next separator of
 * either syntax (`&`, `;`, `,`, quote, white space).
 */
const SECRET_PAIR =
  /([\w.-]*(?:password|passwd|pwd|secret|token|passphrase|api_?key|private_?key)[\w.-]*)(["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s&;,"']+)/gi;

/** The same pairs with the key percent-encoded (`pass%77ord=`), which libpq and the URL parser both decode. */
const ENCODED_KEY_PAIR =
  /([?&;](?:[\w.-]|%[0-9a-f]{2})*%[0-9a-f]{2}(?:[\w.-]|%[0-9a-f]{2})*=)([^\s&;,"']+)/gi;

/** `pass=` alone is too common a word stem to mask in prose; as a query parameter it is a password. */
const PASS_PARAM = /([?&;]pass=)([^\s&;,"']+)/gi;

const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;

/** True when a setting's name says its whole value is a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Masks every secret in `text`, which may be a single URL or free text
 * holding any number of them: URL user-info passwords, secret-named
 * key/value pairs (query parameters included) and bearer tokens.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(WHOLE_URL_CREDENTIALS, `$1${MASK}@`)
    .replace(URL_CREDENTIALS, (_m, prefix: string, password: string) =>
      password === '' ? `${prefix}@` : `${prefix}${MASK}@`,
    )
    .replace(SECRET_PAIR, (_m, key: string, sep: string, value: string) => {
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${key}${sep}${quote}${MASK}${quote}`;
    })
    .replace(PASS_PARAM, `$1${MASK}`)
    .replace(ENCODED_KEY_PAIR, (m, key: string) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(key);
      } catch {
        return m;
      }
      return isSecretKey(decoded) || /pwd|pass/i.test(decoded) ? `${key}${MASK}` : m;
    })
    .replace(BEARER, `$1${MASK}`);
}

/**
 * How a setting's value may be shown to a person: secrets by name are
 * masked entirely, everything else has its embedded secrets masked.
 */
export function displayValue(key: string, value: unknown): string {
  if (isSecretKey(key)) return MASK;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return redactSecrets(text);
}
