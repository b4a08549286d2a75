/**
 * Secrets must never reach a log line or an error message (SPEC §9). Two
 * places carry them: connection URLs (`postgres://user:PASSWORD@host`) and
 * settings whose name says they are secret. Both are masked here, in one
 * place, so the logger, config errors and the CLI agree.
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
