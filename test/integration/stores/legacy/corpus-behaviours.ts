/**
 * The compatibility corpus, continued: one step (or a few) per class of
 * difference that sending the real Nova API's statements through the layer
 * brought to light. The statements are written for this suite in the same
 * idioms — PostgreSQL syntax a route used by mistake, a column's new name,
 * timestamps written in both legacy forms, ids from URLs, LIMIT values from
 * query strings, SELECTs that rely on SQLite's row order — and run on a
 * PostgreSQL database with a non-C collation and a non-UTC time zone (see
 * backends.ts), as a stock server is set up.
 */
import { all, get, run, type Step } from './steps.js';

/** Two timestamps of one day in the two forms the old API wrote: as text, the SQLite form sorts first. */
const ISO_MORNING = '2030-05-05T08:00:00.250Z';
const SQLITE_EVENING = '2030-05-05 20:00:00';

/** What SQLite itself refuses: its own words, in its own order. */
const compileErrors: Step[] = [
  get('pg-only-ilike', 'SELECT id FROM users WHERE name ILIKE ?', ['%ada%']),
  get('pg-only-array-overlap', 'SELECT id FROM users WHERE email && ?', ['{}']),
  get('target-only-name', 'SELECT password_hash FROM users WHERE id = ?', [1]),
  get('target-only-name-qualified', 'SELECT u.logo_url FROM kiosks u WHERE u.id = ?', [
    'kiosk-001',
  ]),
  get('product-table-hidden', 'SELECT COUNT(*) FROM nova_audit_outbox'),
  all(
    'missing-table-before-function',
    "SELECT strftime('%w', opened) AS weekday FROM helpdesk_visits WHERE opened > datetime('now', '-7 days')",
  ),
  run('insert-unknown-column', 'INSERT INTO feedback (name, message, rating) VALUES (?, ?, ?)', [
    'x',
    'y',
    5,
  ]),
];

/** Timestamps compare and sort as the text they were. */
const timestamps: Step[] = [
  run('ts-write-iso', 'INSERT INTO feedback (name, message, timestamp) VALUES (?, ?, ?)', [
    'ts-morning',
    'iso form',
    ISO_MORNING,
  ]),
  run('ts-write-sqlite-form', 'INSERT INTO feedback (name, message, timestamp) VALUES (?, ?, ?)', [
    'ts-evening',
    'sqlite form',
    SQLITE_EVENING,
  ]),
  all(
    'ts-order-mixed-forms',
    "SELECT name, timestamp FROM feedback WHERE name LIKE 'ts-%' ORDER BY timestamp DESC",
  ),
  all(
    'ts-compare-as-text',
    "SELECT name FROM feedback WHERE name LIKE 'ts-%' AND timestamp < ? ORDER BY id",
    ['2030-05-05T12:00:00.000Z'],
  ),
  get(
    'ts-max-and-like',
    "SELECT MAX(timestamp) AS latest, COUNT(*) AS n FROM feedback WHERE timestamp LIKE '2030-05-05%'",
  ),
  get(
    'ts-substr-and-date',
    "SELECT substr(timestamp, 1, 10) AS day, date(timestamp) AS d FROM feedback WHERE name = 'ts-evening'",
  ),
  run('ts-purge-as-text', "DELETE FROM feedback WHERE name LIKE 'ts-%' AND timestamp < ?", [
    '2030-05-05T09:00:00.000Z',
  ]),
  run(
    'ts-create-app-table',
    'CREATE TABLE IF NOT EXISTS audit_trail (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL, at TEXT)',
  ),
  run(
    'ts-datetime-into-text',
    "INSERT INTO audit_trail (what, at) VALUES ('login', datetime('now'))",
    [],
    { lastID: true },
  ),
  run(
    'ts-current-timestamp-into-text',
    'INSERT INTO audit_trail (what, at) VALUES (?, CURRENT_TIMESTAMP)',
    ['logout'],
    { lastID: true },
  ),
  all('ts-text-column-read', 'SELECT what, at FROM audit_trail ORDER BY id', [], { clock: ['at'] }),
  run('ts-datetime-into-timestamp', "UPDATE kiosks SET last_seen = datetime('now') WHERE id = ?", [
    'kiosk-002',
  ]),
  get('ts-datetime-read', 'SELECT last_seen FROM kiosks WHERE id = ?', ['kiosk-002'], {
    clock: ['last_seen'],
  }),
  get(
    'ts-compare-with-now',
    "SELECT COUNT(*) AS n FROM kiosks WHERE last_seen > datetime('now', '-1 hour')",
  ),
];

/** Values from URLs and query strings, bound as SQLite read them. */
const boundValues: Step[] = [
  get('id-not-a-number', 'SELECT id, email FROM users WHERE id = ?', ['not-a-number']),
  get('id-numeric-text', 'SELECT id, email FROM users WHERE id = ?', ['2.0']),
  all('id-in-list-mixed', 'SELECT id FROM users WHERE id IN (?, ?) ORDER BY id', ['1', 'x']),
  run('delete-by-bad-id', 'DELETE FROM notifications WHERE id = ?', ['abc']),
  all('limit-nan', 'SELECT id FROM logs ORDER BY id LIMIT ?', [Number.NaN]),
  all('limit-text', 'SELECT id FROM logs ORDER BY id LIMIT ?', ['3']),
  all('limit-fraction', 'SELECT id FROM logs ORDER BY id LIMIT ?', [2.5]),
  all('limit-negative', 'SELECT COUNT(*) AS n FROM (SELECT id FROM logs LIMIT ?)', [-1]),
  all('offset-negative', 'SELECT id FROM logs ORDER BY id LIMIT ? OFFSET ?', [2, -5]),
  all('limit-literal-negative', 'SELECT id FROM roles ORDER BY id LIMIT -1 OFFSET 1'),
];

/** Row order: SQLite's plan without ORDER BY, NULLs and text with it. */
const rowOrder: Step[] = [
  run('move-row-in-heap', 'UPDATE users SET name = name WHERE id = 2'),
  all('scan-order', 'SELECT id, email FROM users WHERE disabled = 0 AND id < 9'),
  all('covering-index-order', 'SELECT id FROM users'),
  all('index-search-order', 'SELECT credential_id FROM passkeys WHERE user_id = ?', [2]),
  run('lowercase-name', 'INSERT INTO users (name, email) VALUES (?, ?)', [
    'alice lowercase',
    'alice@example.com',
  ]),
  all('order-text-bytewise', 'SELECT name FROM users ORDER BY name LIMIT 4'),
  all('order-nulls-desc', 'SELECT id FROM users ORDER BY last_login DESC, id'),
  all('order-nulls-asc', 'SELECT id FROM users ORDER BY last_login, id LIMIT 5'),
];

/** A refused row uses up no id. */
const refusedRows: Step[] = [
  run('asset-refused-not-null', "INSERT INTO assets (name, type, filename) VALUES ('a', 'b', 'c')"),
  run(
    'asset-after-refused',
    'INSERT INTO assets (name, type, filename, url) VALUES (?, ?, ?, ?)',
    ['Banner', 'bg', 'b.png', '/uploads/b.png'],
    { lastID: true },
  ),
  run('role-after-refused-unique', 'INSERT INTO roles (name, description) VALUES (?, ?)', [
    'superadmin',
    'again',
  ]),
  run('role-next-id', 'INSERT INTO roles (name, description) VALUES (?, ?)', ['viewer', ''], {
    lastID: true,
  }),
  // IGNORE skipped rows that broke NOT NULL too; an ignored row (unlike a refused one)
  // used up an AUTOINCREMENT id.
  run(
    'ignore-not-null',
    'INSERT OR IGNORE INTO assets (name, type, filename, url) VALUES (?, ?, ?, ?)',
    ['Icon', 'icon', 'i.png', null],
  ),
  run('ignore-existing-email', 'INSERT OR IGNORE INTO users (name, email) VALUES (?, ?)', [
    'Again',
    'admin@example.com',
  ]),
  run(
    'insert-after-ignored',
    'INSERT INTO users (name, email) VALUES (?, ?)',
    ['Fresh', 'fresh@example.com'],
    { lastID: true },
  ),
];

export const behaviours: Step[] = [
  ...compileErrors,
  ...timestamps,
  ...boundValues,
  ...rowOrder,
  ...refusedRows,
];
