/**
 * Connection URLs carry passwords; anything that ends up in a log line, an
 * error message or the UI goes through `redactUrl` first (SPEC §9).
 */

const MASK = '***';

/** Query parameters that hold a secret in libpq/MongoDB/Redis style URLs. */
const SECRET_PARAMS = new Set(['password', 'pass', 'pwd', 'sslpassword', 'authsecret', 'token']);

/**
 * Returns `url` with the password (userinfo and `password=` style query
 * parameters) replaced by `***`. Works on any scheme and, as a fallback, on
 * strings that are not valid URLs, so a malformed value in a config error
 * still cannot leak the secret it contains.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactLoosely(url);
  }
  // Non-special schemes (postgres:, mongodb:) keep their userinfo in URL too.
  if (parsed.password !== '') parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, MASK);
  }
  return parsed.toString();
}

/** Regex fallback for strings `new URL` refuses (e.g. an unencoded `@` or `/` in the password). */
function redactLoosely(text: string): string {
  return text
    .replace(/(\/\/[^/\s:@]*:)[^\s]*@/g, `$1${MASK}@`)
    .replace(/([?&;\s](?:password|pass|pwd|sslpassword|token)=)[^&;\s]*/gi, `$1${MASK}`);
}
