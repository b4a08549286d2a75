/**
 * Secrets must never reach a log line, an error message or the UI (SPEC §9).
 * Two places carry them: connection URLs (`postgres://user:PASSWORD@host`,
 * `?password=…`) and settings whose name says they are secret. All are masked
 * here, in one place, so the logger, the stores' errors, the CLI and the UI agree.
 */

const MASK = '***';

/** Setting names whose whole value is secret. */
const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|API_?KEY|PRIVATE_?KEY/i;

/** `scheme://user:password@` — the password may itself contain `@`, so take up to the last `@` of the token. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(\S*)@/gi;

/** `password=…`, `"token": "…"`, `PGPASSWORD: …` — key/value pairs whose key names a secret. */
const SECRET_PAIR =
  /([\w.-]*(?:password|passwd|pwd|secret|token|passphrase|api_?key|private_?key)[\w.-]*)(["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s&;,"']+)/gi;

const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;

/** Query parameters that hold a secret in libpq/MongoDB/Redis style URLs. */
const SECRET_PARAMS = new Set(['password', 'pass', 'pwd', 'sslpassword', 'authsecret', 'token']);

/** True when a setting's name says its whole value is a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks the password of every URL in `text` (`postgres://u:***@h/db`). */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_CREDENTIALS, (_m, prefix: string, password: string) =>
    password === '' ? `${prefix}@` : `${prefix}${MASK}@`,
  );
}

/**
 * Returns the single URL `url` with the password (userinfo and `password=`
 * style query parameters) replaced by `***`. Works on any scheme and, as a
 * fallback, on strings that are not valid URLs, so a malformed value in a
 * config error still cannot leak the secret it contains.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUrlLoosely(url);
  }
  // Non-special schemes (postgres:, mongodb:) keep their userinfo in URL too.
  if (parsed.password !== '') parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, MASK);
  }
  return parsed.toString();
}

/** Regex fallback for strings `new URL` refuses (e.g. an unencoded `@` or `/` in the password). */
function redactUrlLoosely(text: string): string {
  return text
    .replace(/(\/\/[^/\s:@]*:)[^\s]*@/g, `$1${MASK}@`)
    .replace(/([?&;\s](?:password|pass|pwd|sslpassword|token)=)[^&;\s]*/gi, `$1${MASK}`);
}

/** Masks anything in free text that looks like a secret: URL passwords, `password=…` pairs, bearer tokens. */
export function redactSecrets(text: string): string {
  return redactUrlPasswords(text)
    .replace(SECRET_PAIR, (_m, key: string, sep: string, value: string) => {
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${key}${sep}${quote}${MASK}${quote}`;
    })
    .replace(BEARER, `$1${MASK}`);
}

/**
 * How a setting's value may be shown to a person: secrets by name are
 * masked entirely, everything else has URL passwords masked.
 */
export function displayValue(key: string, value: unknown): string {
  if (isSecretKey(key)) return MASK;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return redactSecrets(text);
}
